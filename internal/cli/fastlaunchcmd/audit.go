package fastlaunchcmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/internal/cli/output"
	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/fastlaunch"
	"github.com/winami/winami/pkg/inputfile"
)

type auditOptions struct {
	regions     regionsFlag
	amis        []string
	templates   []string
	nodeClasses []string
	profiles    []string
}

// auditResult is `fast-launch audit -o json`.
type auditResult struct {
	Findings []fastlaunch.AuditFinding `json:"findings"`
}

func newAuditCmd(app *cmdutil.App) *cobra.Command {
	o := &auditOptions{}
	cmd := &cobra.Command{
		Use:   "audit [--ami AMI_ID...] [--launch-template NAME|ID[:VERSION]...] [--karpenter-nodeclass FILE...] [--profiles P1,P2] [--regions R1,R2]",
		Short: "Tell whether launches will really use Fast Launch's pre-provisioned snapshots",
		Long: `Find what makes launches skip Fast Launch's pre-provisioned snapshots:

  - an AMI without Fast Launch (or failed, or Amazon's public AMI, where it cannot be enabled);
  - a launch template version that maps the AMI's root volume (EC2 then builds the volume
    from the base snapshot): the $Latest and $Default versions of every template that
    launches an audited AMI, or every version of the templates named;
  - a Karpenter EC2NodeClass for Windows whose block-device mappings (Karpenter's default
    ones included) map the root volume;
  - an AMI shared with accounts where Fast Launch is not enabled, each account read with
    the credentials of a profile in --profiles (accounts without one are listed unchecked).

Without --ami, --launch-template or --karpenter-nodeclass, every AMI of your account with
Fast Launch in --regions is audited. Each finding is a problem (fail: launches skip the
snapshots) or a warning (warn: something that could not be checked, such as an account no
profile was given for). Exit status: 0 no problem (warnings allowed), 2 problems, 1 an error.`,
		Example: `  winami fast-launch audit --ami ami-0abcdef1234567890 --profiles prod,staging
  winami fast-launch audit --launch-template windows-nodes --regions us-east-1,eu-west-1
  winami fast-launch audit --karpenter-nodeclass karpenter/windows.yaml -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runAudit(cmd.Context(), app, o) },
	}
	o.regions.register(cmd)
	f := cmd.Flags()
	f.StringSliceVar(&o.amis, "ami", nil, "AMIs to audit (comma-separated or repeated)")
	f.StringSliceVar(&o.templates, "launch-template", nil, "launch templates to audit, NAME or lt-ID, optionally :VERSION")
	f.StringSliceVar(&o.nodeClasses, "karpenter-nodeclass", nil, "Karpenter EC2NodeClass YAML files to audit")
	f.StringSliceVar(&o.profiles, "profiles", nil, "profiles of the accounts the AMIs are shared with")
	_ = cmd.MarkFlagFilename("karpenter-nodeclass", "yaml", "yml")
	return cmd
}

func runAudit(ctx context.Context, app *cmdutil.App, o *auditOptions) error {
	if err := checkAMIs(o.amis); err != nil {
		return err
	}
	if len(o.profiles) > 0 && app.Globals.Sandbox {
		return cmdutil.Usagef("--profiles cannot be used with --sandbox; run `winami sandbox` and point profiles at it (see docs/sandbox.md)")
	}
	// A profile that is not configured is bad input: refuse it before any
	// AWS call, not only once an AMI turns out to be shared with its account.
	for _, p := range o.profiles {
		if _, err := app.ClientsForProfile(ctx, p); err != nil {
			return err
		}
	}
	var templates []fastlaunch.LaunchTemplate
	for _, s := range o.templates {
		lt, err := fastlaunch.ParseLaunchTemplate(s)
		if err != nil {
			return &cmdutil.UsageError{Err: err}
		}
		templates = append(templates, lt)
	}
	var findings []fastlaunch.AuditFinding
	for _, path := range o.nodeClasses {
		data, err := inputfile.Read(path, fastlaunch.MaxManifestBytes)
		if err != nil {
			return err
		}
		f, err := fastlaunch.AuditNodeClasses(path, data)
		if err != nil {
			return err
		}
		findings = append(findings, f...)
	}
	onlyFiles := len(o.nodeClasses) > 0 && len(o.amis) == 0 && len(templates) == 0
	if !onlyFiles {
		f, err := auditAccount(ctx, app, o, templates)
		if err != nil {
			return err
		}
		findings = append(findings, f...)
	}
	rows := output.Rows{Header: []string{"severity", "subject", "kind", "message", "fix"}}
	for _, f := range findings {
		rows.Add(string(f.Severity), f.Subject, f.Kind, f.Message, output.Dash(f.Fix))
	}
	if app.Format() == output.Table {
		printFindings(app, findings)
	} else if err := app.Print(auditResult{Findings: append([]fastlaunch.AuditFinding{}, findings...)}, rows); err != nil {
		return err
	}
	if problems(findings) > 0 {
		return cmdutil.Differences()
	}
	return nil
}

// problems counts the findings that make launches skip the snapshots
// (severity fail): only they exit 2. A warning is what could not be
// checked (an account without a profile); it is shown and exits 0, so a
// script gating on audit is not failed by what audit could not see.
func problems(findings []fastlaunch.AuditFinding) int {
	n := 0
	for _, f := range findings {
		if f.Severity == fastlaunch.Fail {
			n++
		}
	}
	return n
}

// printFindings is the table for people: one block per finding, the fix
// under it, since messages and fixes are sentences.
func printFindings(app *cmdutil.App, findings []fastlaunch.AuditFinding) {
	if len(findings) == 0 {
		fmt.Fprintln(app.IO.Out, "No findings: launches will use the pre-provisioned snapshots.")
		return
	}
	for _, f := range findings {
		fmt.Fprintf(app.IO.Out, "%-4s %s: %s\n", f.Severity, f.Subject, f.Message)
		if f.Fix != "" {
			fmt.Fprintf(app.IO.Out, "     fix: %s\n", f.Fix)
		}
	}
	n := problems(findings)
	if n == 0 {
		fmt.Fprintf(app.IO.Out, "\nNo problems found; %d warning(s): what could not be checked.\n", len(findings))
		return
	}
	fmt.Fprintf(app.IO.Out, "\n%d problem(s), %d warning(s).\n", n, len(findings)-n)
}

// auditAccount audits AMIs, launch templates and shared accounts with
// the caller's credentials (fastlaunch.AccountAudit), the accounts of
// --profiles read with theirs.
func auditAccount(ctx context.Context, app *cmdutil.App, o *auditOptions, templates []fastlaunch.LaunchTemplate) ([]fastlaunch.AuditFinding, error) {
	e, err := newEnv(ctx, app, &o.regions)
	if err != nil {
		return nil, err
	}
	caller, err := awsapi.WhoAmI(ctx, e.clients.STS(), nil)
	if err != nil {
		return nil, err
	}
	run := &fastlaunch.AccountAudit{
		EC2: e.ec2, Account: caller.Account, Regions: e.regions, Out: app.IO.ErrOut,
		Others: func(ctx context.Context) (map[string]fastlaunch.OtherAccount, error) {
			return profileAccounts(ctx, app, o.profiles)
		},
	}
	return run.Run(ctx, o.amis, templates)
}

// profileAccounts builds EC2 clients for each profile, keyed by the
// account its credentials belong to.
func profileAccounts(ctx context.Context, app *cmdutil.App, profiles []string) (map[string]fastlaunch.OtherAccount, error) {
	out := map[string]fastlaunch.OtherAccount{}
	for _, p := range profiles {
		clients, err := app.ClientsForProfile(ctx, p)
		if err != nil {
			return nil, err
		}
		who, err := awsapi.WhoAmI(ctx, clients.STS(), nil)
		if err != nil {
			return nil, fmt.Errorf("profile %s: %w", p, err)
		}
		out[who.Account] = fastlaunch.OtherAccount{Profile: p, EC2: func(region string) awsapi.EC2API { return clients.EC2(region) }}
	}
	return out, nil
}
