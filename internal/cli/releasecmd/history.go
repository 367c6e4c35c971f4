package releasecmd

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/internal/cli/output"
	"github.com/winami/winami/pkg/release"
)

type historyOptions struct {
	f       specFlag
	channel string
}

func newHistoryCmd(app *cmdutil.App) *cobra.Command {
	o := &historyOptions{}
	cmd := &cobra.Command{
		Use:   "history -f winami.yaml --channel CHANNEL",
		Short: "List a channel's versions in every region, newest first",
		Long: `Every version SSM keeps of the channel's parameter (the last 100) in every distribution region:
the AMI, when and by whom it was written, and its labels (the build a promotion put there).`,
		Example: `  winami release history -f winami.yaml --channel stable
  winami release history -f winami.yaml --channel candidate -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runHistory(cmd.Context(), app, o) },
	}
	o.f.register(cmd)
	cmd.Flags().StringVar(&o.channel, "channel", "", "the channel (required)")
	_ = cmd.MarkFlagRequired("channel")
	return cmd
}

func runHistory(ctx context.Context, app *cmdutil.App, o *historyOptions) error {
	r, err := o.f.runner(ctx, app)
	if err != nil {
		return err
	}
	_, ch, err := r.Config.Channel(o.channel)
	if err != nil {
		return cmdutil.Usagef("%v", err)
	}
	hists, err := r.Histories(ctx, ch)
	if err != nil {
		return err
	}
	var all []release.Version
	for _, region := range append([]string{r.Config.Home}, r.Config.Regions...) {
		h := hists[region]
		delete(hists, region) // the home region may be listed twice
		for i := len(h) - 1; i >= 0; i-- {
			all = append(all, h[i])
		}
	}
	slices.SortStableFunc(all, func(a, b release.Version) int { return b.Date.Compare(a.Date) })
	rows := output.Rows{Header: []string{"region", "version", "ami", "date", "by", "labels"}}
	for _, v := range all {
		rows.Add(v.Region, fmt.Sprint(v.Version), v.AMI, since(v.Date), user(v.User), output.Dash(strings.Join(v.Labels, ",")))
	}
	if len(all) == 0 {
		fmt.Fprintf(app.IO.ErrOut, "Channel %s (%s) has no versions yet.\n", ch.Name, ch.Parameter)
	}
	return app.Print(append([]release.Version{}, all...), rows)
}
