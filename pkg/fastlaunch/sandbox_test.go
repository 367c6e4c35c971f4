package fastlaunch_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/clock"
	"github.com/winami/winami/pkg/fastlaunch"
	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

const partner = "444455556666"

type env struct {
	clk     *clock.Fake // the sandbox's clock: Fast Launch's state follows it, so waits take no real time
	srv     *sandbox.Server
	cfg     aws.Config
	clients *awsapi.Clients
	caller  awsapi.Caller
	own     string // the account's own Windows AMI in us-east-1
	eks     string // Amazon's public EKS AMI in us-east-1
}

func start(t *testing.T) *env {
	t.Helper()
	clk := clock.NewFake(time.Date(2026, time.November, 28, 12, 0, 0, 0, time.UTC))
	srv, cfg := sandboxtest.Start(t, sandbox.Options{FastLaunchPace: time.Minute, Now: clk.Now})
	e := &env{clk: clk, srv: srv, cfg: cfg, clients: awsapi.NewClients(cfg)}
	var err error
	if e.caller, err = awsapi.WhoAmI(t.Context(), e.clients.STS(), e.clients.IAM()); err != nil {
		t.Fatal(err)
	}
	e.own = imageID(t, e.clients.EC2("us-east-1"), "winami-demo-*", "self")
	e.eks = imageID(t, e.clients.EC2("us-east-1"), "Windows_Server-2022-English-Core-EKS_Optimized-1.35-2026.11.11", "amazon")
	return e
}

func imageID(t *testing.T, c awsapi.EC2API, name, owner string) string {
	t.Helper()
	out, err := c.DescribeImages(t.Context(), &ec2.DescribeImagesInput{
		Owners: []string{owner}, Filters: []types.Filter{{Name: aws.String("name"), Values: []string{name}}},
	})
	if err != nil || len(out.Images) == 0 {
		t.Fatalf("%s: %v", name, err)
	}
	return aws.ToString(out.Images[0].ImageId)
}

func (e *env) ec2(region string) awsapi.EC2API { return e.clients.EC2(region) }

func (e *env) checker() *fastlaunch.Checker {
	return &fastlaunch.Checker{EC2: func(r string) awsapi.EC2API { return e.ec2(r) }, IAM: e.clients.IAM(), Caller: e.caller}
}

func (e *env) target(t *testing.T, ami string) fastlaunch.Target {
	t.Helper()
	ts, err := fastlaunch.Locate(t.Context(), e.ec2, []string{ami}, []string{"us-west-2", "us-east-1"})
	if err != nil || len(ts) != 1 || ts[0].Region != "us-east-1" {
		t.Fatalf("locate %s: %+v, %v", ami, ts, err)
	}
	return ts[0]
}

func checks(fs []fastlaunch.Finding) string {
	var out []string
	for _, f := range fs {
		out = append(out, string(f.Severity)+":"+f.Check)
	}
	return strings.Join(out, " ")
}

func TestLocate(t *testing.T) {
	e := start(t)
	ts, err := fastlaunch.Locate(t.Context(), e.ec2, []string{e.eks, e.own}, []string{"eu-west-1", "us-east-1"})
	if err != nil || len(ts) != 2 || ts[0].AMI != e.eks || ts[1].AMI != e.own {
		t.Fatalf("%+v, %v", ts, err)
	}
	_, err = fastlaunch.Locate(t.Context(), e.ec2, []string{e.own}, []string{"eu-west-1"})
	if err == nil || !strings.Contains(err.Error(), "no such AMI in eu-west-1") {
		t.Errorf("an AMI of another region: %v", err)
	}
	// More AMIs than EC2 takes filter values in one call.
	many := []string{e.own}
	for i := range 250 {
		many = append(many, fmt.Sprintf("ami-%017x", i))
	}
	_, err = fastlaunch.Locate(t.Context(), e.ec2, many, []string{"us-east-1"})
	if err == nil || !strings.Contains(err.Error(), "ami-00000000000000000, ") || !strings.Contains(err.Error(), "no such AMI in us-east-1") {
		t.Errorf("250 AMIs: %v", err)
	}
}

func TestChecks(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	own := e.target(t, e.own)
	fs, err := e.checker().Check(ctx, []fastlaunch.Target{own}, fastlaunch.Settings{})
	if err != nil || checks(fs) != "" {
		t.Fatalf("the own AMI with defaults: %s, %v", checks(fs), err)
	}
	fs, _ = e.checker().Check(ctx, []fastlaunch.Target{e.target(t, e.eks)}, fastlaunch.Settings{MaxParallel: 5})
	if got := checks(fs); got != "fail:owner fail:max-parallel" {
		t.Errorf("Amazon's AMI with 5 parallel launches: %s", got)
	}
	if !strings.Contains(fs[0].Message, "public AMI of account 801119661308 (amazon)") || !strings.Contains(fs[0].Fix, "winami build") {
		t.Errorf("owner finding: %+v", fs[0])
	}
	lt := &fastlaunch.LaunchTemplate{Name: "no-such-template"}
	if fs, _ = e.checker().Check(ctx, []fastlaunch.Target{own}, fastlaunch.Settings{LaunchTemplate: lt}); checks(fs) != "fail:launch-template" {
		t.Errorf("a missing template: %s", checks(fs))
	}
	lt = &fastlaunch.LaunchTemplate{Name: world.WindowsNodesLaunchTemplate, Version: "1"}
	if fs, _ = e.checker().Check(ctx, []fastlaunch.Target{own}, fastlaunch.Settings{LaunchTemplate: lt}); checks(fs) != "" {
		t.Errorf("the seeded template: %s", checks(fs))
	}
	// ap-south-1 has no default VPC.
	noVPC := own
	noVPC.Region = world.NoDefaultVPCRegion
	if fs, _ = e.checker().Check(ctx, []fastlaunch.Target{noVPC}, fastlaunch.Settings{}); checks(fs) != "fail:network" || !strings.Contains(fs[0].Fix, "--launch-template") {
		t.Errorf("no default VPC: %+v", fs)
	}
	// The quota counts the parallel launches of the region's other AMIs.
	q := e.checker()
	q.Quota = 10
	if _, err := fastlaunch.Enable(ctx, e.ec2("us-east-1"), own, fastlaunch.Settings{MaxParallel: 6}); err != nil {
		t.Fatal(err)
	}
	other := own
	other.AMI = "ami-00000000000000000"
	// 4 would fit, but EC2 refuses fewer than 6: lowering is no fix.
	if fs, _ = q.Check(ctx, []fastlaunch.Target{other}, fastlaunch.Settings{MaxParallel: 6}); checks(fs) != "fail:quota" ||
		strings.Contains(fs[0].Fix, "--max-parallel") || !strings.Contains(fs[0].Fix, "disable Fast Launch on an AMI") {
		t.Errorf("quota: %+v", fs)
	}
	q.Quota = 12
	if fs, _ = q.Check(ctx, []fastlaunch.Target{other}, fastlaunch.Settings{MaxParallel: 8}); checks(fs) != "fail:quota" || !strings.Contains(fs[0].Fix, "use --max-parallel 6 or less") {
		t.Errorf("quota, 6 left: %+v", fs)
	}
	q.Quota = 10
	if fs, _ = q.Check(ctx, []fastlaunch.Target{own}, fastlaunch.Settings{MaxParallel: 10}); checks(fs) != "" {
		t.Errorf("reconfiguring the same AMI within the quota: %s", checks(fs))
	}
	// Two AMIs enabled together count together: 6 + 6 fit a quota of 12
	// and not of 11, though each alone would fit either.
	q.Quota = 12
	if fs, _ = q.Check(ctx, []fastlaunch.Target{own, other}, fastlaunch.Settings{MaxParallel: 6}); checks(fs) != "" {
		t.Errorf("two AMIs within the quota: %s", checks(fs))
	}
	q.Quota = 11
	fs, _ = q.Check(ctx, []fastlaunch.Target{own, other}, fastlaunch.Settings{MaxParallel: 6})
	if checks(fs) != "fail:quota fail:quota" || !strings.Contains(fs[0].Message, "12 parallel launches would bring the region's total to 12 (0 in use by other AMIs)") || strings.Contains(fs[0].Fix, "--max-parallel") {
		t.Errorf("two AMIs above the quota: %+v", fs)
	}
}

// In the partner account the Fast Launch role is missing and its user may
// not create it.
func TestServiceLinkedRoleCheck(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	pc := awsapi.NewClients(sandboxtest.AsAccount(e.cfg, partner))
	caller, err := awsapi.WhoAmI(ctx, pc.STS(), pc.IAM())
	if err != nil || caller.Account != partner || caller.PrincipalARN == "" {
		t.Fatalf("%+v, %v", caller, err)
	}
	shared := e.target(t, e.own) // shared with the partner
	c := &fastlaunch.Checker{EC2: func(r string) awsapi.EC2API { return pc.EC2(r) }, IAM: pc.IAM(), Caller: caller}
	fs, err := c.Check(ctx, []fastlaunch.Target{shared}, fastlaunch.Settings{})
	if err != nil || checks(fs) != "fail:service-linked-role" || !strings.Contains(fs[0].Fix, "aws iam create-service-linked-role --aws-service-name ec2fastlaunch.amazonaws.com") {
		t.Errorf("partner: %+v, %v", fs, err)
	}
	// The default account's user may create it: no finding, though the
	// role does not exist yet.
	if _, err := e.clients.IAM().GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(fastlaunch.ServiceLinkedRole)}); err == nil {
		t.Fatal("the role exists before the first enable")
	}
	if fs, _ := e.checker().Check(ctx, []fastlaunch.Target{shared}, fastlaunch.Settings{}); checks(fs) != "" {
		t.Errorf("default account: %s", checks(fs))
	}
}

func TestEnableIsIdempotentAndWaits(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	own, api := e.target(t, e.own), e.ec2("us-east-1")
	set := fastlaunch.Settings{TargetSnapshots: 8}
	r, err := fastlaunch.Enable(ctx, api, own, set)
	if err != nil || r.Action != fastlaunch.Enabled || r.Status.State != "enabling" || r.Status.MaxParallel != 6 || r.Status.TargetSnapshots != 8 {
		t.Fatalf("%+v, %v", r, err)
	}
	var seen []string
	st, err := waitOne(ctx, e, own, func(s fastlaunch.Status) { seen = append(seen, s.State) })
	if err != nil || st.State != "enabled" || seen[0] != "enabling" {
		t.Fatalf("wait: %+v, %v, seen %v", st, err, seen)
	}
	if r, err = fastlaunch.Enable(ctx, api, own, set); err != nil || r.Action != fastlaunch.Unchanged {
		t.Errorf("again: %+v, %v", r, err)
	}
	set.LaunchTemplate = &fastlaunch.LaunchTemplate{Name: world.WindowsNodesLaunchTemplate, Version: "1"}
	if r, err = fastlaunch.Enable(ctx, api, own, set); err != nil || r.Action != fastlaunch.Reconfigured || r.Status.State != "enabling" {
		t.Errorf("with a template: %+v, %v", r, err)
	}
	all, err := fastlaunch.Describe(ctx, api, "us-east-1", nil)
	if err != nil || len(all) != 1 || all[0].LaunchTemplate == nil || all[0].LaunchTemplate.Name != world.WindowsNodesLaunchTemplate {
		t.Errorf("describe: %+v, %v", all, err)
	}
	if _, err = fastlaunch.Disable(ctx, api, own, false); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("disabling while enabling: %v", err)
	}
	if r, err = fastlaunch.Disable(ctx, api, own, true); err != nil || r.Action != fastlaunch.Disabled {
		t.Errorf("disable --force: %+v, %v", r, err)
	}
	if _, err = waitOne(ctx, e, own, nil); err == nil {
		t.Error("waiting on a disabled AMI succeeded")
	}
}

// waitOne follows one AMI with WaitAll, as the commands do, for an hour
// of the sandbox's clock at most.
func waitOne(ctx context.Context, e *env, t fastlaunch.Target, onChange func(fastlaunch.Status)) (fastlaunch.Status, error) {
	st, err := fastlaunch.WaitAll(ctx, e.ec2, []fastlaunch.Target{t}, fastlaunch.WaitAllOptions{
		Interval: 20 * time.Second, Timeout: time.Hour, Clock: e.clk, OnChange: onChange,
	})
	return st[0], err
}

// EC2 accepts Fast Launch without a template where there is no default
// VPC, then fails; Wait reports the failure with EC2's reason.
func TestWaitReportsEnablingFailed(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	own := e.target(t, e.own)
	// The demo AMI lives in us-east-1: take that region's default VPC away
	// (there is no API for it in the sandbox).
	api := e.ec2("us-east-1")
	_ = e.srv.Store().Update(func(w *world.World) error {
		for _, v := range w.Region("us-east-1").VPCs {
			v.IsDefault = false
		}
		return nil
	})
	if _, err := fastlaunch.Enable(ctx, api, own, fastlaunch.Settings{}); err != nil {
		t.Fatal(err)
	}
	st, err := waitOne(ctx, e, own, nil)
	var failed *fastlaunch.FailedError
	if !errors.As(err, &failed) || st.State != "enabling-failed" || st.Reason == "" || !st.Failed() {
		t.Fatalf("%+v, %v", st, err)
	}
}

func TestAudit(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	a := &fastlaunch.Auditor{EC2: e.ec2, Account: e.caller.Account}
	// The seeded template launches Amazon's EKS AMI; version 2 maps the root.
	fs, err := a.LaunchTemplates(ctx, "us-east-1", []fastlaunch.LaunchTemplate{{Name: world.WindowsNodesLaunchTemplate}})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]string{}
	for _, f := range fs {
		kinds[f.Kind] = f.Subject
	}
	if len(fs) != 2 || kinds[fastlaunch.KindNotOwned] != e.eks+" in us-east-1" ||
		kinds[fastlaunch.KindRootVolume] != "launch template "+world.WindowsNodesLaunchTemplate+" version 2 in us-east-1" {
		t.Errorf("template audit: %+v", fs)
	}
	// The own AMI: not enabled, and shared with the partner.
	own := e.target(t, e.own)
	if fs, err = a.AMIs(ctx, []fastlaunch.Target{own}); err != nil || len(fs) != 1 || fs[0].Kind != fastlaunch.KindNotEnabled {
		t.Errorf("own AMI: %+v, %v", fs, err)
	}
	if _, err := fastlaunch.Enable(ctx, e.ec2("us-east-1"), own, fastlaunch.Settings{}); err != nil {
		t.Fatal(err)
	}
	if fs, err = a.AMIs(ctx, []fastlaunch.Target{own}); err != nil || len(fs) != 0 {
		t.Errorf("enabled: %+v, %v", fs, err)
	}
	shared, err := fastlaunch.SharedWith(ctx, e.ec2("us-east-1"), own)
	if err != nil || strings.Join(shared, ",") != partner {
		t.Fatalf("shared with %v, %v", shared, err)
	}
	if fs, _ = fastlaunch.SharedAccounts(ctx, own, shared, nil); len(fs) != 1 || fs[0].Kind != fastlaunch.KindSharedUnchecked {
		t.Errorf("without credentials: %+v", fs)
	}
	pc := awsapi.NewClients(sandboxtest.AsAccount(e.cfg, partner))
	others := map[string]fastlaunch.OtherAccount{partner: {Profile: "partner", EC2: func(r string) awsapi.EC2API { return pc.EC2(r) }}}
	fs, err = fastlaunch.SharedAccounts(ctx, own, shared, others)
	if err != nil || len(fs) != 1 || fs[0].Kind != fastlaunch.KindSharedNotEnabled || !strings.Contains(fs[0].Fix, "winami --profile partner fast-launch enable "+e.own) {
		t.Errorf("partner: %+v, %v", fs, err)
	}
}
