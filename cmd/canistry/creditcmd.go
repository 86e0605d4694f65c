package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"connectrpc.com/connect"
	"github.com/aviate-labs/agent-go/principal"

	platformv1 "github.com/canistry/canistry/internal/gen/canistry/platform/v1"
)

const creditHelp = `Usage: canistry credit [grant OWNER AMOUNT | deposit AMOUNT --wallet ID] [flags]

Bare: your cycles credit at the registry — its balance, what top-ups of
your canisters charged so far, and warnings (canisters your credit does
not cover are not topped up: grant or deposit credit before they freeze).

grant OWNER AMOUNT credits OWNER (a principal) with AMOUNT cycles paid
off-chain (operators). AMOUNT is a number of cycles, or with a suffix
K, M, B or T (thousand, million, billion, trillion): 5T, 250B.

deposit AMOUNT --wallet ID moves AMOUNT cycles from your cycles wallet
(dfx's wallet interface, wallet_call128; you must be allowed to call
through it) to your credit, or to --owner's: a request of yours cannot
carry cycles, so the wallet calls the registry's deposit_credit with them.

Flags:
`

func runCredit(args []string, stdout, stderr io.Writer) error {
	s := newSubcommand("credit", creditHelp, stderr)
	var wallet, owner principalFlag
	s.fs.Var(&wallet, "wallet", "deposit: the `id` of the cycles wallet the cycles come from")
	s.fs.Var(&owner, "owner", "deposit: whose credit (a `principal`); empty: yours")
	if err := s.parse(args, stderr); err != nil {
		return err
	}
	if (wallet != "" || owner != "") && (len(s.args) == 0 || s.args[0] != "deposit") {
		fmt.Fprintln(stderr, "canistry credit: --wallet and --owner apply to credit deposit only")
		return errUsage
	}
	var req func(context.Context, *platformClients) error
	switch {
	case len(s.args) == 0:
		req = func(ctx context.Context, c *platformClients) error {
			resp, err := c.cycles.GetCredit(ctx, connect.NewRequest(&platformv1.GetCreditRequest{}))
			if err != nil {
				return gatewayError("credit", err)
			}
			printCredit(stdout, resp.Msg.GetCredit())
			return nil
		}
	case len(s.args) == 3 && s.args[0] == "grant":
		if _, err := principal.Decode(s.args[1]); err != nil {
			fmt.Fprintf(stderr, "canistry credit grant: OWNER %q is not a principal: %v\n", s.args[1], err)
			return errUsage
		}
		amount, err := parseCycles(s.args[2])
		if err != nil {
			fmt.Fprintf(stderr, "canistry credit grant: %v\n", err)
			return errUsage
		}
		req = func(ctx context.Context, c *platformClients) error {
			resp, err := c.cycles.GrantCredit(ctx, connect.NewRequest(&platformv1.GrantCreditRequest{Owner: s.args[1], Amount: amount}))
			if err != nil {
				return gatewayError("credit grant", err)
			}
			printCredit(stdout, resp.Msg.GetCredit())
			return nil
		}
	case len(s.args) == 2 && s.args[0] == "deposit":
		amount, err := parseCycles(s.args[1])
		if err != nil || amount == 0 {
			fmt.Fprintf(stderr, "canistry credit deposit: the amount must be a positive number of cycles (%v)\n", err)
			return errUsage
		}
		if wallet == "" {
			fmt.Fprintln(stderr, "canistry credit deposit: --wallet is required (the cycles wallet the cycles come from)")
			return errUsage
		}
		s.also = append(s.also, principal.MustDecode(string(wallet)))
		req = func(ctx context.Context, c *platformClients) error {
			resp, err := c.cycles.DepositCredit(ctx, connect.NewRequest(&platformv1.DepositCreditRequest{
				Wallet: string(wallet), Amount: amount, Owner: string(owner)}))
			if err != nil {
				return gatewayError("credit deposit", err)
			}
			printCredit(stdout, resp.Msg.GetCredit())
			return nil
		}
	default:
		return s.usageError(stderr, "credit [grant OWNER AMOUNT | deposit AMOUNT --wallet ID]")
	}
	return dialAndDo(s, stderr, req)
}

func printCredit(w io.Writer, c *platformv1.Credit) {
	fmt.Fprintf(w, "owner    %s\nbalance  %d\ncharged  %d\n", c.GetOwner(), c.GetBalance(), c.GetCharged())
	for _, warning := range c.GetWarnings() {
		fmt.Fprintf(w, "warning  %s\n", warning)
	}
}

const cyclesHelp = `Usage: canistry cycles status ID | low | registry | policy APP [STRATEGY ...] [flags]

The registry polls its canisters' cycles and tops them up per their app's
policy, charged to their owners' credit.

  status ID     one canister's balance, burn, runway and top-ups (its owner, operators)
  low           canisters low on cycles or out of credit, shortest runway first (operators)
  registry      the registry's own balance, burn, runway and credit outstanding (operators)
  policy APP    the app's top-up policy; to set it (operators):
                policy APP below_balance THRESHOLD FUND_TO [--max-top-up AMOUNT]
                policy APP below_runtime THRESHOLD FUND   [--max-top-up AMOUNT]
                (cycles as for credit grant; times as 30d, 12h or 3600s)

Flags:
`

func runCycles(args []string, stdout, stderr io.Writer) error {
	s := newSubcommand("cycles", cyclesHelp, stderr)
	maxTopUp := s.fs.String("max-top-up", "5T", "policy: the most one top-up deposits (cycles)")
	if err := s.parseVerb(args, stderr); err != nil {
		return err
	}
	maxTopUpSet := false
	s.fs.Visit(func(f *flag.Flag) { maxTopUpSet = maxTopUpSet || f.Name == "max-top-up" })
	if maxTopUpSet && (s.args[0] != "policy" || len(s.args) != 5) {
		fmt.Fprintln(stderr, "canistry cycles: --max-top-up applies to setting a policy only (policy APP STRATEGY ...)")
		return errUsage
	}
	var req func(context.Context, *platformClients) error
	switch verb, n := s.args[0], len(s.args); {
	case verb == "status" && n == 2:
		req = func(ctx context.Context, c *platformClients) error {
			resp, err := c.cycles.GetCanisterCycles(ctx, connect.NewRequest(&platformv1.GetCanisterCyclesRequest{CanisterId: s.args[1]}))
			if err != nil {
				return gatewayError("cycles status", err)
			}
			printCanisterCycles(stdout, resp.Msg.GetCycles())
			return nil
		}
	case verb == "low" && n == 1:
		req = func(ctx context.Context, c *platformClients) error {
			resp, err := c.cycles.ListLowCycles(ctx, connect.NewRequest(&platformv1.ListLowCyclesRequest{}))
			if err != nil {
				return gatewayError("cycles low", err)
			}
			for _, cc := range resp.Msg.GetCanisters() {
				fmt.Fprintf(stdout, "%s\t%s/%s\towner %s\tbalance %d\trunway %s\tout_of_credit %t\n", cc.GetCanisterId(), cc.GetApp(), cc.GetVersion(),
					cc.GetOwner(), cc.GetBalance(), runwayText(cc.GetRunwaySeconds()), cc.GetOwnerOutOfCredit())
			}
			return nil
		}
	case verb == "registry" && n == 1:
		req = func(ctx context.Context, c *platformClients) error {
			resp, err := c.cycles.GetRegistryCycles(ctx, connect.NewRequest(&platformv1.GetRegistryCyclesRequest{}))
			if err != nil {
				return gatewayError("cycles registry", err)
			}
			m := resp.Msg
			fmt.Fprintf(stdout, "balance             %d\nreserve             %d\nburn_per_day        %d\nrunway              %s\ncredit_outstanding  %d\ntopped_up_total     %d\ntop_ups             %d\n",
				m.GetBalance(), m.GetReserve(), m.GetBurnPerDay(), runwayText(m.GetRunwaySeconds()), m.GetCreditOutstanding(), m.GetToppedUpTotal(), m.GetTopUps())
			return nil
		}
	case verb == "policy" && n == 2:
		req = func(ctx context.Context, c *platformClients) error {
			resp, err := c.cycles.GetCyclesPolicy(ctx, connect.NewRequest(&platformv1.GetCyclesPolicyRequest{App: s.args[1]}))
			if err != nil {
				return gatewayError("cycles policy", err)
			}
			printPolicy(stdout, resp.Msg.GetPolicy())
			return nil
		}
	case verb == "policy" && n == 5:
		pol, err := parsePolicy(s.args[2], s.args[3], s.args[4], *maxTopUp)
		if err != nil {
			fmt.Fprintf(stderr, "canistry cycles policy: %v\n", err)
			return errUsage
		}
		req = func(ctx context.Context, c *platformClients) error {
			resp, err := c.cycles.SetCyclesPolicy(ctx, connect.NewRequest(&platformv1.SetCyclesPolicyRequest{App: s.args[1], Policy: pol}))
			if err != nil {
				return gatewayError("cycles policy", err)
			}
			printPolicy(stdout, resp.Msg.GetPolicy())
			return nil
		}
	default:
		return s.usageError(stderr, "cycles status ID | low | registry | policy APP [below_balance THRESHOLD FUND_TO | below_runtime THRESHOLD FUND]")
	}
	return dialAndDo(s, stderr, req)
}

func printCanisterCycles(w io.Writer, c *platformv1.CanisterCycles) {
	fmt.Fprintf(w, "canister             %s\napp                  %s/%s\nowner                %s\nbalance              %d\nburn_per_day         %d\nidle_burn_per_day    %d\nfreezing_limit       %d\nrunway               %s\nlow                  %t\nowner_out_of_credit  %t\nunfunded             %d\ntopped_up_total      %d\n",
		c.GetCanisterId(), c.GetApp(), c.GetVersion(), c.GetOwner(), c.GetBalance(), c.GetBurnPerDay(), c.GetIdleBurnPerDay(),
		c.GetFreezingLimit(), runwayText(c.GetRunwaySeconds()), c.GetLow(), c.GetOwnerOutOfCredit(), c.GetUnfunded(), c.GetToppedUpTotal())
	if t := c.GetLastTopUpTime(); t != nil {
		fmt.Fprintf(w, "last_top_up          %s\n", t.AsTime().Format(time.RFC3339))
	}
	if t := c.GetCheckedTime(); t != nil {
		fmt.Fprintf(w, "checked              %s\n", t.AsTime().Format(time.RFC3339))
	}
}

func printPolicy(w io.Writer, p *platformv1.CyclesPolicy) {
	switch {
	case p.GetBelowBalance() != nil:
		b := p.GetBelowBalance()
		fmt.Fprintf(w, "below_balance threshold %d fund_to %d max_top_up %d\n", b.GetThreshold(), b.GetFundTo(), p.GetMaxTopUp())
	case p.GetBelowRuntime() != nil:
		r := p.GetBelowRuntime()
		fmt.Fprintf(w, "below_runtime threshold %s fund %s max_top_up %d\n", runwayText(r.GetThresholdSeconds()), runwayText(r.GetFundSeconds()), p.GetMaxTopUp())
	}
}

// runwayText is seconds as days and hours ("unknown" for 0, the API's
// unknown).
func runwayText(s uint64) string {
	if s == 0 {
		return "unknown"
	}
	d, h := s/86_400, s%86_400/3_600
	return fmt.Sprintf("%dd%dh", d, h)
}

func parsePolicy(strategy, threshold, fund, maxTopUp string) (*platformv1.CyclesPolicy, error) {
	most, err := parseCycles(maxTopUp)
	if err != nil {
		return nil, fmt.Errorf("--max-top-up: %w", err)
	}
	out := &platformv1.CyclesPolicy{MaxTopUp: most}
	switch strategy {
	case "below_balance":
		t, err := parseCycles(threshold)
		if err != nil {
			return nil, fmt.Errorf("THRESHOLD: %w", err)
		}
		f, err := parseCycles(fund)
		if err != nil {
			return nil, fmt.Errorf("FUND_TO: %w", err)
		}
		out.Strategy = &platformv1.CyclesPolicy_BelowBalance{BelowBalance: &platformv1.BelowBalance{Threshold: t, FundTo: f}}
	case "below_runtime":
		t, err := parseSpan(threshold)
		if err != nil {
			return nil, fmt.Errorf("THRESHOLD: %w", err)
		}
		f, err := parseSpan(fund)
		if err != nil {
			return nil, fmt.Errorf("FUND: %w", err)
		}
		out.Strategy = &platformv1.CyclesPolicy_BelowRuntime{BelowRuntime: &platformv1.BelowRuntime{ThresholdSeconds: t, FundSeconds: f}}
	default:
		return nil, fmt.Errorf("unknown strategy %q: want below_balance or below_runtime", strategy)
	}
	return out, nil
}

// parseCycles reads a number of cycles, optionally with a suffix K, M, B
// or T (1e3, 1e6, 1e9, 1e12).
func parseCycles(text string) (uint64, error) {
	mult := uint64(1)
	num := text
	if n := len(text); n > 0 {
		if m, ok := map[byte]uint64{'K': 1e3, 'M': 1e6, 'B': 1e9, 'T': 1e12}[text[n-1]]; ok {
			mult, num = m, text[:n-1]
		}
	}
	v, err := strconv.ParseUint(strings.ReplaceAll(num, "_", ""), 10, 64)
	if err != nil || v > math.MaxUint64/mult {
		return 0, fmt.Errorf("%q is not an amount of cycles (e.g. 5000000, 250B, 5T)", text)
	}
	return v * mult, nil
}

// parseSpan reads a time as whole seconds: 30d, or a Go duration (12h, 90s).
func parseSpan(text string) (uint64, error) {
	bad := fmt.Errorf("%q is not a time (e.g. 30d, 12h, 3600s)", text)
	if days, ok := strings.CutSuffix(text, "d"); ok {
		n, err := strconv.ParseUint(days, 10, 32)
		if err != nil {
			return 0, bad
		}
		return n * 86_400, nil
	}
	d, err := time.ParseDuration(text)
	if err != nil || d < 0 {
		return 0, bad
	}
	return uint64(d / time.Second), nil
}

// dialAndDo dials the gateway as the command's identity and runs req
// within --timeout.
func dialAndDo(s *subcommand, stderr io.Writer, req func(context.Context, *platformClients) error) error {
	ctx, cancel := s.withTimeout()
	defer cancel()
	c, err := s.dial(ctx, stderr)
	if err != nil {
		return err
	}
	return req(ctx, c)
}
