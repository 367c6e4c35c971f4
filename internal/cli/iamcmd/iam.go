// Package iamcmd is `winami iam`: the IAM policy winami itself needs.
package iamcmd

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/internal/cli/output"
	"github.com/winami/winami/pkg/iampolicy"
)

// NewCmd builds `winami iam` and its subcommands.
func NewCmd(app *cmdutil.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "iam",
		Short: "The IAM permissions winami needs",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newPolicyCmd(app))
	return cmd
}

func newPolicyCmd(app *cmdutil.App) *cobra.Command {
	var use string
	uses := make([]string, len(iampolicy.Uses))
	for i, u := range iampolicy.Uses {
		uses[i] = string(u)
	}
	cmd := &cobra.Command{
		Use:   "policy [--for build|read-only|drift|release|rollout]",
		Short: "Print the least-privilege IAM policy winami needs for a use",
		Long: `Print, as an IAM policy document, the actions winami calls for a use:

  build      everything: ami, images check, cache, plan, apply, build, status, destroy, preflight,
             release
  read-only  ami, images check, status, plan, preflight, release status and history; nothing that
             changes anything
  drift      ami, and the EKS and EC2 reads of a cluster's nodes
  release    release status, history, promote and rollback: a promotion job that cannot build
  rollout    rollout and drift: EKS node group updates, launch template versions and instance
             refreshes of a cluster's Windows nodes; iam:PassRole is for the node role of an
             instance profile the launch template names (restrict its resource to that role)

The document is JSON, as IAM takes it (-o json, the default); -o yaml gives the same
document as YAML, for CloudFormation templates. A policy has no table or text form.

Nothing is called. The test suite runs every command against the sandbox and fails when
one calls an action its policy lacks.`,
		Example: `  winami iam policy --for build > winami-policy.json
  aws iam put-user-policy --user-name ci --policy-name winami --policy-document file://winami-policy.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			u, err := iampolicy.ParseUse(use)
			if err != nil {
				return &cmdutil.UsageError{Err: fmt.Errorf("--for: %w", err)}
			}
			doc, err := iampolicy.Policy(u)
			if err != nil {
				return err
			}
			if app.Format() == output.YAML {
				return app.Print(json.RawMessage(doc), output.Rows{})
			}
			// The JSON document is already the data, indented as IAM's
			// console shows it.
			_, err = fmt.Fprintln(app.IO.Out, doc)
			return err
		},
	}
	cmdutil.SupportsFormats(cmd, output.JSON, output.YAML)
	cmd.Flags().StringVar(&use, "for", string(iampolicy.Build), "the use: "+strings.Join(uses, ", "))
	_ = cmd.RegisterFlagCompletionFunc("for", cobra.FixedCompletions(uses, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}
