package cli_test

import (
	"bytes"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/winami/winami/internal/cli"
	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/iampolicy"
	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

// policySpec exercises what the commands can call: ECR and MCR cache
// images, two distribution regions and an SSM parameter.
const policySpec = `apiVersion: winami/v1alpha1
kind: ImageSpec
name: policy
region: us-east-1
base: {windows: 2022, edition: core}
kubernetes: {version: "1.35"}
build: {instanceProfile: winami-build}
cache:
  images:
    - 111122223333.dkr.ecr.us-east-1.amazonaws.com/payments/api:1.4.2
    - mcr.microsoft.com/windows/servercore:ltsc2022
distribution:
  regions: [us-east-1, eu-west-1]
  ssmParameter: /winami/policy/ami
  fastLaunch: {enabled: true, maxParallelLaunches: 6}
release:
  channels:
    - {name: candidate, parameter: /winami/policy/ami}
    - {name: stable}
    - {name: prod, gates: {canary: {cluster: demo}}}
`

// policyCommand is one winami invocation of the policy test: the command
// it is in pkg/iampolicy, its arguments (SPEC stands for the spec file),
// the uses whose policies must allow every call it makes, and its exit.
type policyCommand struct {
	command string
	args    []string
	uses    []iampolicy.Use
	exit    int
}

// policyCommands run in order against one sandbox, so that status and
// destroy find what build made. To cover a new command (fast-launch,
// drift), add its row here and its actions in pkg/iampolicy.
var policyCommands = []policyCommand{
	{iampolicy.CmdPreflight, []string{"preflight", "-f", "SPEC"}, readOnly, 0},
	{iampolicy.CmdPlan, []string{"plan", "-f", "SPEC"}, readOnly, 0},
	{iampolicy.CmdApply, []string{"apply", "-f", "SPEC", "--auto-approve"}, build, 0},
	{iampolicy.CmdBuild, []string{"build", "-f", "SPEC", "--wait", "--poll-interval", "20ms"}, build, 0},
	{iampolicy.CmdStatus, []string{"status", "-f", "SPEC"}, readOnly, 0},
	{iampolicy.CmdReleaseRead, []string{"release", "status", "-f", "SPEC"}, releaseRead, 0},
	{iampolicy.CmdRelease, []string{"release", "promote", "-f", "SPEC", "--to", "stable", "--auto-approve"}, releaseUse, 0},
	{iampolicy.CmdReleaseRead, []string{"release", "history", "-f", "SPEC", "--channel", "stable"}, releaseRead, 0},
	// prod's canary gate reads cluster demo, whose nodes do not run the build: refused (exit 1).
	{iampolicy.CmdRelease, []string{"release", "promote", "-f", "SPEC", "--to", "prod", "--auto-approve"}, releaseUse, 1},
	// One build only: there is no earlier one to go back to (exit 1).
	{iampolicy.CmdRelease, []string{"release", "rollback", "-f", "SPEC", "--channel", "stable", "--auto-approve"}, releaseUse, 1},
	// The demo cluster has two drifted nodes: exit 2.
	{iampolicy.CmdDrift, []string{"drift", "--cluster", "demo", "--latest"}, driftUse, 2},
	{iampolicy.CmdDrift, []string{"drift", "--cluster", "demo", "-f", "SPEC"}, driftUse, 2},
	// Every cluster of the region: ListClusters and the account, then a
	// report per cluster.
	{iampolicy.CmdDrift, []string{"drift", "--all-clusters"}, driftUse, 2},
	{iampolicy.CmdAMI, []string{"ami", "latest", "--windows", "2022", "--edition", "core", "--kubernetes", "1.35", "--regions", "us-east-1,eu-west-1"}, all, 0},
	{iampolicy.CmdAMI, []string{"ami", "list", "--windows", "2019", "--edition", "core", "--kubernetes", "1.33"}, all, 0},
	{iampolicy.CmdAMI, []string{"ami", "resolve", "--windows", "2022", "--edition", "core", "--kubernetes", "1.35", "--before", "2026-10-31"}, all, 0},
	{iampolicy.CmdAMI, []string{"ami", "matrix", "--regions", "all"}, all, 0},
	{iampolicy.CmdAMICopy, []string{"ami", "copy", "--windows", "2022", "--edition", "core", "--kubernetes", "1.35", "--release", "2026.08.12", "--poll-interval", "20ms"}, build, 0},
	{iampolicy.CmdImagesCheck, []string{"images", "check", "-f", "SPEC"}, readOnly, 0},
	{iampolicy.CmdCache, []string{"cache", "render", "-f", "SPEC"}, readOnly, 0},
	{iampolicy.CmdFastLaunch, []string{"fast-launch", "enable", "OWN_AMI", "--max-parallel", "6", "--wait", "--poll-interval", "10ms"}, build, 0},
	{iampolicy.CmdFastLaunchRead, []string{"fast-launch", "status"}, readOnly, 0},
	// The demo AMI is shared with an account there are no credentials for: a finding.
	{iampolicy.CmdFastLaunchRead, []string{"fast-launch", "audit", "--ami", "OWN_AMI", "--launch-template", "winami-windows-nodes"}, readOnly, 2},
	{iampolicy.CmdFastLaunch, []string{"fast-launch", "disable", "OWN_AMI", "--force"}, build, 0},
	{iampolicy.CmdDestroy, []string{"destroy", "-f", "SPEC", "--auto-approve", "--delete-images"}, build, 0},
}

// rolloutPolicyCommands run after the others: a rollout changes the demo
// cluster that drift and the canary gate read.
var rolloutPolicyCommands = []policyCommand{
	// The demo cluster's nodes are not all on the newest release: exit 2.
	{iampolicy.CmdRollout, []string{"rollout", "--cluster", "demo", "--latest", "--dry-run"}, rolloutUse, 2},
	// All three kinds of group onto the account's own AMI (windows-core-b,
	// an EKS AMI type group, cannot take it and stays behind: exit 2).
	{iampolicy.CmdRollout, []string{"rollout", "--cluster", "demo", "--ami", "OWN_AMI", "--auto-approve", "--poll", "20ms", "--timeout", "2m", "--instance-warmup", "0s"}, rolloutUse, 2},
}

var (
	build    = []iampolicy.Use{iampolicy.Build}
	readOnly = []iampolicy.Use{iampolicy.Build, iampolicy.ReadOnly}
	all      = []iampolicy.Use{iampolicy.Build, iampolicy.ReadOnly, iampolicy.Drift}
	driftUse = []iampolicy.Use{iampolicy.Drift}
	// releaseRead and releaseUse: the release use runs promotions without
	// the rights to build.
	releaseRead = []iampolicy.Use{iampolicy.Build, iampolicy.ReadOnly, iampolicy.Release}
	releaseUse  = []iampolicy.Use{iampolicy.Build, iampolicy.Release}
	rolloutUse  = []iampolicy.Use{iampolicy.Rollout}
)

// TestPolicyCoversCommands runs every command through the real command
// line against the sandbox, maps each AWS operation it made to its IAM
// action, and fails when the policy of a use that runs the command, or
// the command's own list, lacks the action.
func TestPolicyCoversCommands(t *testing.T) {
	srv, _ := sandboxtest.Start(t, sandbox.Options{Seed: 1, BuildPace: 10 * time.Millisecond, FastLaunchPace: 10 * time.Millisecond, RolloutPace: 10 * time.Millisecond})
	ownAMI := ownDemoAMI(t, srv)
	dir := t.TempDir()
	specPath := filepath.Join(dir, "winami.yaml")
	if err := os.WriteFile(specPath, []byte(policySpec), 0o644); err != nil {
		t.Fatal(err)
	}
	// Only the sandbox: no developer profile, no IMDS.
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_ACCESS_KEY_ID", sandbox.DummyAccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", sandbox.DummySecretAccessKey)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv(cmdutil.RegistryEndpointEnv, strings.TrimPrefix(srv.URL(), "http://"))

	commands := iampolicy.Commands()
	seen := map[string]bool{}
	table := append(slices.Clip(policyCommands), rolloutPolicyCommands...)
	for _, pc := range table {
		args := []string{"--endpoint-url", srv.URL()}
		for _, a := range pc.args {
			switch a {
			case "SPEC":
				a = specPath
			case "OWN_AMI":
				a = ownAMI
			}
			args = append(args, a)
		}
		var out, errOut bytes.Buffer
		app := cmdutil.NewApp(cmdutil.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
		if code := cli.Execute(t.Context(), app, args); code != pc.exit {
			t.Fatalf("winami %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(pc.args, " "), code, pc.exit, out.String(), errOut.String())
		}
		calls := app.Counter().Snapshot()
		for _, op := range slices.Sorted(maps.Keys(calls)) {
			service, operation, _ := strings.Cut(op, ".")
			action := awsapi.IAMAction(service, operation)
			seen[action] = true
			if !slices.ContainsFunc(commands[pc.command], func(a string) bool { return strings.EqualFold(a, action) }) {
				t.Errorf("winami %s calls %s (%s), missing from iampolicy.Commands()[%q]", strings.Join(pc.args, " "), action, op, pc.command)
			}
			for _, u := range pc.uses {
				if !iampolicy.Allows(u, action) {
					t.Errorf("winami %s calls %s (%s), which the %s policy lacks", strings.Join(pc.args, " "), action, op, u)
				}
			}
		}
	}
	// Actions no command called here are either reached only on paths the
	// table does not take or are more than winami needs: worth a look.
	for _, a := range iampolicy.Actions(iampolicy.Build) {
		if !seen[a] {
			t.Logf("the build policy allows %s, which no command here called", a)
		}
	}
	// A test that saw nothing would pass whatever the policy says.
	for _, must := range []string{"imagebuilder:StartImagePipelineExecution", "iam:SimulatePrincipalPolicy", "ec2:DeregisterImage", "ssm:GetParameters", "ec2:EnableFastLaunch", "ec2:DescribeFastLaunchImages", "eks:DescribeCluster", "ec2:DescribeInstances"} {
		if !seen[must] {
			t.Errorf("no command called %s; the test no longer covers what it should (seen: %v)", must, slices.Sorted(maps.Keys(seen)))
		}
	}
}

// ownDemoAMI is the account's own seeded Windows AMI in us-east-1.
func ownDemoAMI(t *testing.T, srv *sandbox.Server) string {
	t.Helper()
	var id string
	_ = srv.Store().View(func(w *world.World) error {
		for _, img := range w.Region("us-east-1").Images {
			if strings.HasPrefix(img.Name, "winami-demo-") && img.OwnerID == w.AccountID {
				id = img.ImageID
			}
		}
		return nil
	})
	if id == "" {
		t.Fatal("the sandbox has no winami-demo AMI in us-east-1")
	}
	return id
}
