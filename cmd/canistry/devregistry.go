package main

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/canisters/personal"
	"github.com/canistry/canistry/canisters/registry"
	"github.com/canistry/canistry/ic"
	"github.com/canistry/canistry/replica/mgmt"
)

// The dev environment's registry: dev installs it as the dev identity
// (its first operator), makes itself developer and auditor, publishes the
// embedded personal releases through it and installs the demo canisters
// with it. Each step is skipped when an earlier run did it, so a restart
// only reads.

// devRegistryCycles is what dev gives the registry to pay for the
// canisters it creates (a local replica's cycles cost nothing).
const devRegistryCycles = 10_000_000_000_000_000

// devUpgradeFrom is each dev release's upgrade_from: 1.0.0 is the first,
// and every later one admits every earlier version (migrations exist for
// each, so 1.0.0 → 3.0.0 is a declared skip).
var devUpgradeFrom = map[string]string{"1.0.0": "", "2.0.0": ">=1.0.0 <2.0.0", "3.0.0": ">=1.0.0 <3.0.0"}

// devQuotas lift the per-user quotas for the dev identity's demo and
// test canisters; the cycles per canister stay the registry's default.
func devQuotas(q registry.Quotas) registry.Quotas {
	q.CanistersPerUser = max(q.CanistersPerUser, 1000)
	q.CreationsPerUserDay = max(q.CreationsPerUserDay, 10000)
	q.CreationsPerHour = max(q.CreationsPerHour, 10000)
	return q
}

// ensureRegistry reuses the registry dev recorded, or creates and installs
// one with the dev identity as its operator and only self-auditor.
func ensureRegistry(ctx context.Context, client *ic.Client, dir devDir, info *devInfo, progress io.Writer) (*registry.Client, error) {
	if info.Registry != "" {
		p, err := principal.Decode(info.Registry)
		if err == nil {
			if _, err = client.CanisterInfo(ctx, p); err == nil {
				return registry.New(client, p), nil
			}
		}
		fmt.Fprintf(progress, "recorded registry %s is gone (%v); installing a new one\n", info.Registry, err)
	}
	fmt.Fprintln(progress, "installing the registry ...")
	amount := idl.NewNat(uint64(devRegistryCycles))
	var out mgmt.CanisterIDResult
	if err := client.CallWithContext(ctx, principal.MustDecode("aaaaa-aa"), "provisional_create_canister_with_cycles",
		[]any{mgmt.ProvisionalCreateArgs{Amount: &amount}}, []any{&out}); err != nil {
		return nil, fmt.Errorf("create the registry canister: %w", err)
	}
	if err := registry.Install(ctx, client, out.CanisterID, registry.Init{SelfAudit: []principal.Principal{client.Sender()}}); err != nil {
		return nil, err
	}
	info.Registry = out.CanisterID.String()
	info.Canisters = map[string]string{} // canisters of another registry are not this one's
	if err := dir.writeInfo(info); err != nil {
		return nil, err
	}
	return registry.New(client, out.CanisterID), nil
}

// publishDevReleases makes the dev identity developer and auditor, creates
// the app "personal" and takes every embedded release through the whole
// lifecycle, skipping what is done.
func publishDevReleases(ctx context.Context, reg *registry.Client, self principal.Principal, progress io.Writer) error {
	roles, err := reg.MyRoles(ctx)
	if err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	for _, r := range []registry.Role{registry.Developer, registry.Auditor} {
		if !slices.Contains(roles, r) {
			if err := reg.GrantRole(ctx, r, self); err != nil {
				return fmt.Errorf("registry: grant the dev identity %s: %w", r, err)
			}
		}
	}
	if _, ok, err := reg.GetApp(ctx, "personal"); err != nil {
		return fmt.Errorf("registry: %w", err)
	} else if !ok {
		if _, err := reg.CreateApp(ctx, registry.NewApp{ID: "personal", Name: "Personal",
			Description: "The reference personal canister: documents, messages, sharing."}); err != nil {
			return fmt.Errorf("registry: create the app personal: %w", err)
		}
	}
	waived := false
	for _, v := range personal.Versions() {
		if err := publishDevRelease(ctx, reg, v, &waived, progress); err != nil {
			return fmt.Errorf("registry: personal %s: %w", v, err)
		}
	}
	q, err := reg.GetQuotas(ctx)
	if err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	if want := devQuotas(q); want != q {
		if err := reg.SetQuotas(ctx, want); err != nil {
			return fmt.Errorf("registry: raise the dev quotas: %w", err)
		}
	}
	return nil
}

// publishDevRelease takes one release from wherever it is to released.
func publishDevRelease(ctx context.Context, reg *registry.Client, v string, waived *bool, progress io.Writer) error {
	rel, ok, err := reg.GetRelease(ctx, "personal", v)
	if err != nil {
		return err
	}
	if ok && (rel.State == registry.Released || rel.State == registry.Deprecated || rel.State == registry.Revoked || rel.State == registry.Rejected) {
		return nil // published before, or a decision someone made since
	}
	if !ok || rel.State == registry.Draft {
		fmt.Fprintf(progress, "publishing personal/%s through the registry ...\n", v)
		if err := uploadDevRelease(ctx, reg, v, rel, ok); err != nil {
			return err
		}
		if rel, err = reg.SubmitRelease(ctx, "personal", v); err != nil {
			return err
		}
	}
	if rel.State == registry.Submitted {
		if !*waived {
			fmt.Fprintln(progress, "self-audit waiver: the dev identity approves its own releases (registry init self_audit; only 'canistry dev' does this, and the registry logs each)")
			*waived = true
		}
		if rel, err = reg.ApproveRelease(ctx, "personal", v); err != nil {
			return err
		}
	}
	_, err = reg.PublishRelease(ctx, "personal", v)
	return err
}

// uploadDevRelease creates the draft (unless it exists) and uploads the
// chunks it lacks (uploads go in order, so those after ChunksReceived).
func uploadDevRelease(ctx context.Context, reg *registry.Client, v string, draft registry.Release, exists bool) error {
	wasm, err := personal.Wasm(v)
	if err != nil {
		return err
	}
	m, err := newReleaseModule(wasm)
	if err != nil {
		return err
	}
	nr := registry.NewRelease{App: "personal", Version: v, Protocol: personal.Protocol(v),
		Notes: "The reference personal canister " + v + ", embedded in canistry.", UpgradeFrom: devUpgradeFrom[v],
		EnhancedPersistence: m.eop}
	chunks, err := registry.Chunk(wasm, &nr)
	if err != nil {
		return err
	}
	from := 0
	if exists {
		from = draft.ChunksReceived
	} else if _, err := reg.CreateRelease(ctx, nr); err != nil {
		return err
	}
	for i := from; i < len(chunks); i++ {
		if err := reg.UploadChunk(ctx, "personal", v, i, chunks[i]); err != nil {
			return err
		}
	}
	return nil
}
