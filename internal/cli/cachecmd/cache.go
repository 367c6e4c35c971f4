// Package cachecmd is `winami cache`: the component that bakes container
// images into the AMI, rendered from a spec, and a check for any AWSTOE
// component document.
package cachecmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/pkg/component"
	"github.com/winami/winami/pkg/pipeline"
)

// NewCmd builds `winami cache` and its subcommands.
func NewCmd(app *cmdutil.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cache",
		Short: "Render and check the component that bakes container images into the AMI",
		Long: `Pods on a new Windows node wait for their images to be pulled and, above all, extracted:
often 8-18 minutes. The spec's cache section makes winami generate an Image Builder
component that pulls them into containerd's CRI namespace (k8s.io) during the build,
pins them so kubelet's image garbage collection keeps them, and checks they are there.`,
		Example: `  winami cache render -f winami.yaml > image-cache.yaml
  winami cache validate image-cache.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newRenderCmd(app), newValidateCmd(app))
	return cmd
}

func newRenderCmd(app *cmdutil.App) *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "render -f winami.yaml",
		Short: "Print the image cache component document the spec generates",
		Long: `Print the AWSTOE document of the image cache component that apply would create from the
spec's cache section. Nothing is called: the spec is read and the document rendered with the
images by tag. (apply's copy pulls each image by the digest its tag pointed to when the plan
read it, then tags it; the plan shows those digests.)`,
		Example: `  winami cache render -f winami.yaml`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := app.LoadSpec(file)
			if err != nil {
				return err
			}
			doc, ok, err := pipeline.CacheDocument(s, nil)
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("%s has no cache section: add cache.images to bake images into the AMI", file)
			}
			_, err = fmt.Fprint(app.IO.Out, doc)
			return err
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "winami.yaml", "the spec file")
	return cmd
}

func newValidateCmd(app *cmdutil.App) *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE",
		Short: "Check an AWSTOE component document",
		Long: `Check an AWSTOE component document as Image Builder and AWSTOE would: schemaVersion,
phases, step names, known actions and their inputs, references to parameters. Every problem
is printed as file:line:col, and any problem makes the exit status 1.`,
		Example: `  winami cache validate image-cache.yaml
  winami cache render -f winami.yaml > c.yaml && winami cache validate c.yaml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := component.ValidateFile(args[0]); err != nil {
				return err
			}
			fmt.Fprintf(app.IO.ErrOut, "%s: a valid AWSTOE component document\n", args[0])
			return nil
		},
	}
}
