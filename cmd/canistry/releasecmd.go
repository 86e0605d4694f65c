package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"connectrpc.com/connect"

	platformv1 "github.com/canistry/canistry/internal/gen/canistry/platform/v1"
)

const releaseHelp = `Usage: canistry release <subcommand> [flags]

An app's releases, through the gateway, as --identity. Lifecycle: draft
(uploading) → submitted → approved | rejected → released → deprecated →
revoked.

  list APP                                  every release of APP
  upload APP VERSION WASM --protocol P [--upgrade-from C] [--notes TEXT] [--health-method M]
                                            upload a module as a draft (the app's developers);
                                            its SHA-256, chunk hashes and Motoko enhanced
                                            orthogonal persistence are read from the file
  submit APP VERSION                        submit the draft for review
  approve APP VERSION                       approve it (an auditor, not its uploader)
  reject APP VERSION --reason R             reject it (an auditor)
  publish APP VERSION                       make it installable (the app's developers)
  deprecate APP VERSION                     installable by name only
  revoke APP VERSION --reason R             no longer installable nor an upgrade target
  channels APP VERSION [NAME...]            put it in release channels (at most 8, replacing
                                            the previous ones; none: no channel); canisters whose
                                            policy follows one take it in rollouts

Flags (anywhere after the subcommand):
`

type releaseFlags struct {
	protocol, upgradeFrom, notes, healthMethod, reason string
}

func runRelease(args []string, stdout, stderr io.Writer) error {
	s := newSubcommand("release", releaseHelp, stderr)
	var rf releaseFlags
	s.fs.StringVar(&rf.protocol, "protocol", "", "upload: the protocol the release serves, e.g. personal/3.0.0 (its health method must answer it)")
	s.fs.StringVar(&rf.upgradeFrom, "upgrade-from", "", "upload: the installed versions that may upgrade to it, e.g. '>=1.0.0 <3.0.0'; empty: none")
	s.fs.StringVar(&rf.notes, "notes", "", "upload: release notes")
	s.fs.StringVar(&rf.healthMethod, "health-method", "", "upload: the query checked after an upgrade; empty: protocol")
	s.fs.StringVar(&rf.reason, "reason", "", "reject, revoke: why (required)")
	if err := s.parseVerb(args, stderr); err != nil {
		return err
	}
	sub, pos := s.args[0], s.args[1:]
	ctx, cancel := s.withTimeout()
	defer cancel()
	switch sub {
	case "list":
		if len(pos) != 1 {
			return s.usageError(stderr, "release list APP")
		}
		c, err := s.dial(ctx, stderr)
		if err != nil {
			return err
		}
		resp, err := c.store.ListReleases(ctx, connect.NewRequest(&platformv1.ListReleasesRequest{App: pos[0]}))
		if err != nil {
			return gatewayError("list releases of "+pos[0], err)
		}
		printReleases(stdout, resp.Msg.GetReleases())
		return nil
	case "upload":
		if len(pos) != 3 || rf.protocol == "" {
			return s.usageError(stderr, "release upload APP VERSION WASM --protocol P [--upgrade-from C] [--notes TEXT] [--health-method M]")
		}
		wasm, err := os.ReadFile(pos[2])
		if err != nil {
			return err
		}
		m, err := newReleaseModule(wasm)
		if err != nil {
			return fmt.Errorf("%s: %w", pos[2], err)
		}
		c, err := s.dial(ctx, stderr)
		if err != nil {
			return err
		}
		header := &platformv1.ReleaseHeader{App: pos[0], Version: pos[1], Protocol: rf.protocol, Notes: rf.notes,
			UpgradeFrom: rf.upgradeFrom, HealthMethod: rf.healthMethod, EnhancedPersistence: m.eop,
			Sha256: m.sha256, Size: uint64(len(wasm)), ChunkHashes: m.chunkHashes}
		r, err := uploadRelease(ctx, c, header, m, stderr)
		if err != nil {
			return gatewayError("upload "+pos[0]+" "+pos[1], err)
		}
		printReleases(stdout, []*platformv1.Release{r})
		return nil
	case "submit", "approve", "reject", "publish", "deprecate", "revoke":
		if len(pos) != 2 {
			return s.usageError(stderr, "release "+sub+" APP VERSION")
		}
		if (sub == "reject" || sub == "revoke") && rf.reason == "" {
			return s.usageError(stderr, "release "+sub+" APP VERSION --reason R")
		}
		c, err := s.dial(ctx, stderr)
		if err != nil {
			return err
		}
		r, err := releaseTransition(ctx, c, sub, pos[0], pos[1], rf.reason)
		if err != nil {
			return gatewayError(sub+" "+pos[0]+" "+pos[1], err)
		}
		printReleases(stdout, []*platformv1.Release{r})
		return nil
	case "channels":
		if len(pos) < 2 {
			return s.usageError(stderr, "release channels APP VERSION [NAME...]")
		}
		c, err := s.dial(ctx, stderr)
		if err != nil {
			return err
		}
		resp, err := c.rollout.SetReleaseChannels(ctx, connect.NewRequest(&platformv1.SetReleaseChannelsRequest{App: pos[0], Version: pos[1], Channels: pos[2:]}))
		if err != nil {
			return gatewayError("set the channels of "+pos[0]+" "+pos[1], err)
		}
		fmt.Fprintf(stdout, "%s %s channels: %s\n", pos[0], pos[1], orDash(strings.Join(resp.Msg.GetRelease().GetChannels(), " ")))
		return nil
	}
	fmt.Fprintf(stderr, "canistry release: unknown subcommand %q\n\n", sub)
	s.fs.Usage()
	return errUsage
}

// uploadRelease streams the header, then the chunks, drawing a progress
// bar on stderr.
func uploadRelease(ctx context.Context, c *platformClients, h *platformv1.ReleaseHeader, m *releaseModule, progress io.Writer) (*platformv1.Release, error) {
	stream := c.publisher.UploadRelease(ctx)
	if err := stream.Send(&platformv1.UploadReleaseRequest{Part: &platformv1.UploadReleaseRequest_Header{Header: h}}); err != nil {
		_, err = stream.CloseAndReceive()
		return nil, err
	}
	var sent uint64
	for _, chunk := range m.chunks {
		if err := stream.Send(&platformv1.UploadReleaseRequest{Part: &platformv1.UploadReleaseRequest_Chunk{Chunk: chunk}}); err != nil {
			fmt.Fprintln(progress)
			_, err = stream.CloseAndReceive() // the gateway's reason, not the broken pipe
			return nil, err
		}
		sent += uint64(len(chunk))
		drawProgress(progress, sent, h.GetSize())
	}
	fmt.Fprintln(progress)
	resp, err := stream.CloseAndReceive()
	if err != nil {
		return nil, err
	}
	return resp.Msg.GetRelease(), nil
}

func drawProgress(w io.Writer, done, total uint64) {
	const width = 30
	filled := width
	if total > 0 {
		filled = int(done * width / total)
	}
	fmt.Fprintf(w, "\ruploading [%s%s] %3d%% %d/%d bytes", strings.Repeat("=", filled), strings.Repeat(" ", width-filled),
		filled*100/width, done, total)
}

func releaseTransition(ctx context.Context, c *platformClients, sub, app, ver, reason string) (*platformv1.Release, error) {
	p := c.publisher
	switch sub {
	case "submit":
		r, err := p.SubmitRelease(ctx, connect.NewRequest(&platformv1.SubmitReleaseRequest{App: app, Version: ver}))
		return msgOr(r, err, (*platformv1.SubmitReleaseResponse).GetRelease)
	case "approve":
		r, err := p.ApproveRelease(ctx, connect.NewRequest(&platformv1.ApproveReleaseRequest{App: app, Version: ver}))
		return msgOr(r, err, (*platformv1.ApproveReleaseResponse).GetRelease)
	case "reject":
		r, err := p.RejectRelease(ctx, connect.NewRequest(&platformv1.RejectReleaseRequest{App: app, Version: ver, Reason: reason}))
		return msgOr(r, err, (*platformv1.RejectReleaseResponse).GetRelease)
	case "publish":
		r, err := p.PublishRelease(ctx, connect.NewRequest(&platformv1.PublishReleaseRequest{App: app, Version: ver}))
		return msgOr(r, err, (*platformv1.PublishReleaseResponse).GetRelease)
	case "deprecate":
		r, err := p.DeprecateRelease(ctx, connect.NewRequest(&platformv1.DeprecateReleaseRequest{App: app, Version: ver}))
		return msgOr(r, err, (*platformv1.DeprecateReleaseResponse).GetRelease)
	default: // revoke
		r, err := p.RevokeRelease(ctx, connect.NewRequest(&platformv1.RevokeReleaseRequest{App: app, Version: ver, Reason: reason}))
		return msgOr(r, err, (*platformv1.RevokeReleaseResponse).GetRelease)
	}
}

// msgOr takes the release out of a response, or passes the error on.
func msgOr[T any](r *connect.Response[T], err error, get func(*T) *platformv1.Release) (*platformv1.Release, error) {
	if err != nil {
		return nil, err
	}
	return get(r.Msg), nil
}

func printReleases(w io.Writer, rs []*platformv1.Release) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "APP\tVERSION\tSTATE\tPROTOCOL\tUPGRADE FROM\tSHA256")
	for _, r := range rs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.GetApp(), r.GetVersion(), releaseState(r.GetState()), r.GetProtocol(),
			orDash(r.GetUpgradeFrom()), shortHex(r.GetSha256()))
	}
	tw.Flush()
}

func releaseState(s platformv1.ReleaseState) string {
	return strings.ToLower(strings.TrimPrefix(s.String(), "RELEASE_STATE_"))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func shortHex(b []byte) string {
	s := hex.EncodeToString(b)
	if len(s) > 16 {
		return s[:16]
	}
	return s
}
