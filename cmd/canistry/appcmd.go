package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"connectrpc.com/connect"

	platformv1 "github.com/canistry/canistry/internal/gen/canistry/platform/v1"
)

const appHelp = `Usage: canistry app <subcommand> [flags]

The apps of the platform's store, through the gateway, as --identity.

  list                                   every app: id, name, developers
  create APP --name N [--description D]  create an app (operators and developers);
                                         you become its first developer
  developers add APP PRINCIPAL           let a developer publish the app's releases
  developers remove APP PRINCIPAL        withdraw that

Flags (anywhere after the subcommand):
`

func runApp(args []string, stdout, stderr io.Writer) error {
	s := newSubcommand("app", appHelp, stderr)
	name := s.fs.String("name", "", "create: the app's name, 1 to 64 characters")
	description := s.fs.String("description", "", "create: the app's description")
	if err := s.parseVerb(args, stderr); err != nil {
		return err
	}
	ctx, cancel := s.withTimeout()
	defer cancel()
	switch sub, pos := s.args[0], s.args[1:]; sub {
	case "list":
		if len(pos) != 0 {
			return s.usageError(stderr, "app list")
		}
		c, err := s.dial(ctx, stderr)
		if err != nil {
			return err
		}
		resp, err := c.store.ListApps(ctx, connect.NewRequest(&platformv1.ListAppsRequest{}))
		if err != nil {
			return gatewayError("list apps", err)
		}
		printApps(stdout, resp.Msg.GetApps())
		return nil
	case "create":
		if len(pos) != 1 || *name == "" {
			return s.usageError(stderr, "app create APP --name N [--description D]")
		}
		c, err := s.dial(ctx, stderr)
		if err != nil {
			return err
		}
		resp, err := c.publisher.CreateApp(ctx, connect.NewRequest(&platformv1.CreateAppRequest{App: pos[0], Name: *name, Description: *description}))
		if err != nil {
			return gatewayError("create app "+pos[0], err)
		}
		fmt.Fprintln(stdout, resp.Msg.GetApp().GetId())
		return nil
	case "developers":
		if len(pos) != 3 || (pos[0] != "add" && pos[0] != "remove") {
			return s.usageError(stderr, "app developers add|remove APP PRINCIPAL")
		}
		c, err := s.dial(ctx, stderr)
		if err != nil {
			return err
		}
		var app *platformv1.App
		if pos[0] == "add" {
			resp, err := c.publisher.AddDeveloper(ctx, connect.NewRequest(&platformv1.AddDeveloperRequest{App: pos[1], Developer: pos[2]}))
			if err != nil {
				return gatewayError("add developer", err)
			}
			app = resp.Msg.GetApp()
		} else {
			resp, err := c.publisher.RemoveDeveloper(ctx, connect.NewRequest(&platformv1.RemoveDeveloperRequest{App: pos[1], Developer: pos[2]}))
			if err != nil {
				return gatewayError("remove developer", err)
			}
			app = resp.Msg.GetApp()
		}
		printApps(stdout, []*platformv1.App{app})
		return nil
	}
	fmt.Fprintf(stderr, "canistry app: unknown subcommand %q\n\n", s.args[0])
	s.fs.Usage()
	return errUsage
}

func printApps(w io.Writer, apps []*platformv1.App) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "APP\tNAME\tDEVELOPERS")
	for _, a := range apps {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", a.GetId(), a.GetName(), strings.Join(a.GetDevelopers(), ","))
	}
	tw.Flush()
}
