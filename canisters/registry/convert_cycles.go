package registry

import (
	"math"
	"time"

	"github.com/aviate-labs/agent-go/candid/idl"

	c "github.com/canistry/canistry/internal/candid/registry_1_0_0"
)

func seconds(d time.Duration) idl.Nat { return nat(uint64(d / time.Second)) }

// natSeconds is n seconds, capped at the longest Duration (a runway of
// centuries is possible for an idle canister).
func natSeconds(n idl.Nat) time.Duration {
	const most = uint64(math.MaxInt64 / int64(time.Second))
	if s := natU64(n); s < most && n.BigInt().IsUint64() {
		return time.Duration(s) * time.Second
	}
	return time.Duration(math.MaxInt64)
}

func cyclesPolicyToCandid(p CyclesPolicy) c.CyclesPolicy {
	out := c.CyclesPolicy{MaxTopUp: nat(p.MaxTopUp)}
	switch p.Strategy {
	case BelowBalance:
		out.Strategy.BelowBalance = &struct {
			FundTo    idl.Nat `ic:"fund_to" json:"fund_to"`
			Threshold idl.Nat `ic:"threshold" json:"threshold"`
		}{FundTo: nat(p.FundTo), Threshold: nat(p.Threshold)}
	case BelowRuntime:
		out.Strategy.BelowRuntime = &struct {
			FundSeconds      idl.Nat `ic:"fund_seconds" json:"fund_seconds"`
			ThresholdSeconds idl.Nat `ic:"threshold_seconds" json:"threshold_seconds"`
		}{FundSeconds: seconds(p.FundTime), ThresholdSeconds: seconds(p.ThresholdTime)}
	}
	return out
}

func cyclesPolicyFromCandid(p c.CyclesPolicy) CyclesPolicy {
	out := CyclesPolicy{MaxTopUp: natU64(p.MaxTopUp)}
	switch s := p.Strategy; {
	case s.BelowBalance != nil:
		out.Strategy, out.Threshold, out.FundTo = BelowBalance, natU64(s.BelowBalance.Threshold), natU64(s.BelowBalance.FundTo)
	case s.BelowRuntime != nil:
		out.Strategy = BelowRuntime
		out.ThresholdTime, out.FundTime = natSeconds(s.BelowRuntime.ThresholdSeconds), natSeconds(s.BelowRuntime.FundSeconds)
	}
	return out
}

func settingsToCandid(s CyclesSettings) c.CyclesSettings {
	batch := s.BatchSize
	if batch < 0 {
		batch = 0 // the registry refuses it with its own message
	}
	return c.CyclesSettings{PollIntervalSeconds: seconds(s.PollInterval), BatchSize: nat(uint64(batch)), Reserve: nat(s.Reserve)}
}

func settingsFromCandid(s c.CyclesSettings) CyclesSettings {
	return CyclesSettings{PollInterval: natSeconds(s.PollIntervalSeconds), BatchSize: natInt(s.BatchSize), Reserve: natU64(s.Reserve)}
}

func optTime(t *idl.Int) time.Time {
	if t == nil {
		return time.Time{}
	}
	return nanos(*t)
}

func cyclesFromCandid(s c.CyclesStatus) CanisterCycles {
	out := CanisterCycles{
		CanisterID: s.CanisterId, App: s.App, Version: s.Version, Owner: s.Owner,
		Balance: natU64(s.Balance), BurnPerDay: natU64(s.BurnPerDay), IdleBurnPerDay: natU64(s.IdleBurnPerDay),
		FreezingLimit: natU64(s.FreezingLimit), Low: s.Low, OwnerOutOfCredit: s.OwnerOutOfCredit,
		Unfunded: natU64(s.Unfunded), ToppedUpTotal: natU64(s.ToppedUpTotal),
		LastTopUp: optTime(s.LastTopUpAt), Checked: optTime(s.CheckedAt),
	}
	if s.RunwaySeconds != nil {
		out.Runway, out.RunwayKnown = natSeconds(*s.RunwaySeconds), true
	}
	return out
}

func cyclesListFromCandid(list []c.CyclesStatus) []CanisterCycles {
	out := make([]CanisterCycles, 0, len(list))
	for _, s := range list {
		out = append(out, cyclesFromCandid(s))
	}
	return out
}

func creditFromCandid(ci c.CreditInfo) Credit {
	return Credit{Owner: ci.Owner, Balance: natU64(ci.Balance), Charged: natU64(ci.Charged),
		Warnings: ci.Warnings, Unfunded: cyclesListFromCandid(ci.Unfunded)}
}

func registryCyclesFromCandid(r c.RegistryCycles) RegistryCycles {
	out := RegistryCycles{Balance: natU64(r.Balance), Reserve: natU64(r.Reserve), BurnPerDay: natU64(r.BurnPerDay),
		CreditOutstanding: natU64(r.CreditOutstanding), ToppedUpTotal: natU64(r.ToppedUpTotal), TopUps: natU64(r.TopUps)}
	if r.RunwaySeconds != nil {
		out.Runway, out.RunwayKnown = natSeconds(*r.RunwaySeconds), true
	}
	return out
}
