// Package imagescmd is `winami images`: whether container images can run on
// a Windows build, before a 40-minute build bakes them into an AMI.
package imagescmd

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/spf13/cobra"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/internal/cli/output"
	"github.com/winami/winami/pkg/amimeta"
	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/eksami"
	"github.com/winami/winami/pkg/imageref"
	"github.com/winami/winami/pkg/images"
)

// NewCmd builds `winami images` and its subcommands.
func NewCmd(app *cmdutil.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "images",
		Short: "Check that container images can run on a Windows build",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newCheckCmd(app))
	return cmd
}

type checkOptions struct {
	windows, build, file, ami string
	clusterOptions
}

func newCheckCmd(app *cmdutil.App) *cobra.Command {
	o := &checkOptions{}
	cmd := &cobra.Command{
		Use:   "check (--windows VERSION | --build 10.0.NNNNN | --ami AMI_ID | -f winami.yaml) [IMAGE... | --cluster NAME | --kubeconfig FILE [--context C]]",
		Short: "Say, per image, whether it runs on a Windows build, and what it adds to the AMI",
		Long: `Read each image's index or manifest from its registry, list its windows/amd64 entries with
their os.version, and give a verdict with containerd's rule: a host below build 20348 runs
only images of its own build; a host of 20348 or later runs images built from 20348 up to
its own. Linux-only images and missing platforms are called out. Each image's compressed
size and the total the cache adds to the AMI are printed.

ECR images are read with a token from GetAuthorizationToken (per account and region);
other registries anonymously or with ~/.docker/config.json. With -f the images default to
the spec's cache.images and the host to its Windows version (or base.osBuild). With --ami
the host is the AMI's Windows build: the OS build winami recorded on it, or the Windows
Server version in the name of an EKS optimized or Windows base AMI (in --region).

With --cluster (an EKS cluster, reached as drift reaches it) or --kubeconfig, the images are
those of the pods on the cluster's Windows nodes, each once with the workloads that run it
(Deployment, DaemonSet, StatefulSet, Job, or the bare pod), checked against --windows or
--build: can the nodes move to that Windows Server? An image that cannot be read is
unknown, never passed. It needs list on nodes and pods.

Exit status: 0 all compatible, 2 some are not, 1 an error (a registry could not be read).`,
		Example: `  winami images check --windows 2022 mcr.microsoft.com/windows/servercore:ltsc2019
  winami images check -f winami.yaml
  winami images check --ami ami-0abcdef1234567890 --region eu-west-1 mcr.microsoft.com/windows/nanoserver:ltsc2022
  winami --sandbox images check --windows 2025 mcr.microsoft.com/oss/kubernetes/pause:3.9 -o json
  winami images check --cluster prod-eks --region us-east-1 --windows 2025`,
		RunE: func(cmd *cobra.Command, args []string) error { return runCheck(cmd.Context(), app, o, args) },
	}
	f := cmd.Flags()
	f.StringVar(&o.windows, "windows", "", "the host's Windows Server version: 2019, 2022 or 2025")
	f.StringVar(&o.build, "build", "", "the host's Windows build, e.g. 10.0.20348")
	f.StringVarP(&o.file, "file", "f", "", "a spec: its cache images and its Windows version")
	f.StringVar(&o.ami, "ami", "", "an AMI whose Windows build is the host's")
	f.StringVar(&o.cluster, "cluster", "", "check the images of this EKS cluster's Windows pods")
	f.StringVar(&o.kubeconfig, "kubeconfig", "", "check the images of the Windows pods of this kubeconfig's cluster")
	f.StringVar(&o.context, "context", "", "kubeconfig context (default: the current one)")
	cmd.MarkFlagsMutuallyExclusive("windows", "build", "file", "ami")
	cmd.MarkFlagsMutuallyExclusive("cluster", "kubeconfig", "file", "ami")
	cmd.MarkFlagsOneRequired("windows", "build", "file", "ami")
	_ = cmd.RegisterFlagCompletionFunc("windows", cobra.FixedCompletions([]string{"2019", "2022", "2025"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func runCheck(ctx context.Context, app *cmdutil.App, o *checkOptions, args []string) error {
	if o.given() {
		return runClusterCheck(ctx, app, o, args)
	}
	host, raw, err := o.target(app, args)
	if err != nil {
		return err
	}
	if o.ami == "" {
		// Registry hosts name their own region (ECR) or have none (public
		// registries): only --ami needs the configured region.
		app.RegionFallback = "us-east-1"
	}
	clients, err := app.Clients(ctx)
	if err != nil {
		return err
	}
	if o.ami != "" {
		if host, err = amiBuild(ctx, clients.EC2(""), o.ami); err != nil {
			return err
		}
	}
	refs := make([]imageref.Ref, 0, len(raw))
	for _, s := range raw {
		ref, err := imageref.Parse(s)
		if err != nil {
			return &cmdutil.UsageError{Err: err}
		}
		refs = append(refs, ref)
	}
	opts, err := app.ImageCheckerOptions(clients)
	if err != nil {
		return err
	}
	rep, err := images.NewChecker(opts).Check(ctx, host, refs)
	if err != nil {
		return err
	}
	if err := printReport(app, rep); err != nil {
		return err
	}
	switch {
	case rep.HasErrors():
		return errors.New("some images could not be read; see the reasons above")
	case !rep.AllCompatible():
		return cmdutil.Differences()
	}
	return nil
}

// target is the host build and the images to check.
func (o *checkOptions) target(app *cmdutil.App, args []string) (images.HostBuild, []string, error) {
	if o.file == "" {
		if len(args) == 0 {
			return images.HostBuild{}, nil, cmdutil.Usagef("name at least one image, e.g. mcr.microsoft.com/windows/servercore:ltsc2022")
		}
		if o.ami != "" {
			if len(args) == 0 {
				return images.HostBuild{}, nil, cmdutil.Usagef("name at least one image, e.g. mcr.microsoft.com/windows/servercore:ltsc2022")
			}
			if err := cmdutil.CheckAMIID("--ami ", o.ami); err != nil {
				return images.HostBuild{}, nil, err
			}
			return images.HostBuild{}, args, nil // read from EC2 once clients exist
		}
		v := o.windows
		if v == "" {
			v = o.build
		}
		host, err := images.ParseHostBuild(v)
		if err != nil {
			return images.HostBuild{}, nil, &cmdutil.UsageError{Err: err}
		}
		return host, args, nil
	}
	s, err := app.LoadSpec(o.file)
	if err != nil {
		return images.HostBuild{}, nil, err
	}
	v := s.Base.Windows
	if s.Base.OSBuild != "" {
		v = s.Base.OSBuild
	}
	host, err := images.ParseHostBuild(v)
	if err != nil {
		return images.HostBuild{}, nil, err
	}
	if len(args) == 0 && s.Cache != nil {
		args = s.Cache.Images
	}
	if len(args) == 0 {
		return images.HostBuild{}, nil, fmt.Errorf("%s caches no images and none were named", o.file)
	}
	return host, args, nil
}

// amiBuild is the Windows build of an AMI: the OS build winami recorded on
// it (winami:os-build), else the Windows Server version its name carries
// (EKS optimized and Windows base AMIs are named Windows_Server-<year>-…).
func amiBuild(ctx context.Context, ec2api awsapi.EC2API, id string) (images.HostBuild, error) {
	out, err := ec2api.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{id}})
	if err != nil {
		return images.HostBuild{}, fmt.Errorf("reading %s: %w", id, err)
	}
	if len(out.Images) != 1 {
		return images.HostBuild{}, fmt.Errorf("%s: no such AMI in this region", id)
	}
	img := out.Images[0]
	// EC2 writes "windows" although the SDK's enum value is "Windows".
	if !strings.EqualFold(string(img.Platform), string(ec2types.PlatformValuesWindows)) {
		return images.HostBuild{}, fmt.Errorf("%s (%s) is not a Windows AMI: Windows containers need a Windows host", id, aws.ToString(img.Name))
	}
	for _, t := range img.Tags {
		if aws.ToString(t.Key) == amimeta.TagOSBuild {
			return images.ParseHostBuild(aws.ToString(t.Value))
		}
	}
	name := aws.ToString(img.Name)
	if rest, ok := strings.CutPrefix(name, "Windows_Server-"); ok && len(rest) >= 4 {
		if build := eksami.WindowsBuild(rest[:4]); build != "" {
			return images.ParseHostBuild(build)
		}
	}
	return images.HostBuild{}, fmt.Errorf("cannot tell the Windows build of %s (%s): name it with --windows or --build", id, name)
}

func printReport(app *cmdutil.App, rep images.Report) error {
	rows := output.Rows{Header: []string{"image", "verdict", "os.version", "compressed", "reason"}}
	for _, r := range rep.Images {
		rows.Add(r.Image, string(r.Verdict), osVersions(r), humanBytes(r.CompressedBytes), output.Dash(r.Reason))
	}
	if app.Format() == output.Table {
		if err := output.PrintTable(app.IO.Out, rows); err != nil {
			return err
		}
		_, err := fmt.Fprintf(app.IO.Out, "\nHost %s: the compatible images add %s (compressed) to the AMI.\n", rep.Host, humanBytes(rep.TotalCompressedBytes))
		return err
	}
	return app.Print(rep, rows)
}

// osVersions is what the os.version column shows: the chosen manifest's,
// else every Windows os.version the image offers (an incompatible image's
// builds are what the user needs to see), else a dash.
func osVersions(r images.Result) string {
	if r.Chosen != nil {
		return r.Chosen.OSVersion
	}
	var vs []string
	for _, p := range r.Platforms {
		if p.OS == "windows" && p.OSVersion != "" && !slices.Contains(vs, p.OSVersion) {
			vs = append(vs, p.OSVersion)
		}
	}
	return output.Dash(strings.Join(vs, ","))
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
