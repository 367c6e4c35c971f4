package imagebuilder_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/winami/winami/sandbox/sandboxtest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"

	"github.com/winami/winami/sandbox/world"
)

var (
	wfIDRE   = regexp.MustCompile(`^wf-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	stepIDRE = regexp.MustCompile(`^step-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
)

// testDoc asserts an OS build in its test phase.
func testDoc(build string) string {
	return strings.Replace(assertDoc(build), "name: validate", "name: test", 1)
}

// startBuild starts the pipeline and returns the build's ARN and start.
func startBuild(t *testing.T, e *env, pipeline string) (string, time.Time) {
	t.Helper()
	begun := e.clock.Now()
	return aws.ToString(try(e.ib.StartImagePipelineExecution(t.Context(), &imagebuilder.StartImagePipelineExecutionInput{
		ImagePipelineArn: aws.String(pipeline)})).must(t).ImageBuildVersionArn), begun
}

// moveTo sets the clock to t, which must not be in its past.
func moveTo(c *clock, t time.Time) { c.Advance(t.Sub(c.Now())) }

func executionsOf(t *testing.T, e *env, arn string) []types.WorkflowExecutionMetadata {
	t.Helper()
	return try(e.ib.ListWorkflowExecutions(t.Context(), &imagebuilder.ListWorkflowExecutionsInput{
		ImageBuildVersionArn: aws.String(arn)})).must(t).WorkflowExecutions
}

func stepsOf(t *testing.T, e *env, id *string) []types.WorkflowStepMetadata {
	t.Helper()
	return try(e.ib.ListWorkflowStepExecutions(t.Context(), &imagebuilder.ListWorkflowStepExecutionsInput{
		WorkflowExecutionId: id})).must(t).Steps
}

// summary is "Type:STATUS" of each execution, or "Name:STATUS" of each step.
func summary[T any](items []T, key func(T) (string, string)) string {
	var parts []string
	for _, it := range items {
		k, v := key(it)
		parts = append(parts, k+":"+v)
	}
	return strings.Join(parts, " ")
}

func execKey(x types.WorkflowExecutionMetadata) (string, string) {
	return string(x.Type), string(x.Status)
}
func stepKey(s types.WorkflowStepMetadata) (string, string) {
	return aws.ToString(s.Name), string(s.Status)
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func TestWorkflowsFollowTheBuild(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	hello := createComponent(t, e, "hello", "1.0.0", helloDoc)
	smoke := createComponent(t, e, "smoke", "1.0.0", testOnlyDoc)
	s := makeStack(t, e, "followed", stackOptions{components: []types.ComponentConfiguration{
		{ComponentArn: aws.String(hello)}, {ComponentArn: aws.String(smoke)}}})
	arn, t0 := startBuild(t, e, s.pipeline)
	if xs := executionsOf(t, e, arn); len(xs) != 0 {
		t.Fatalf("a PENDING build has executions %s", summary(xs, execKey))
	}

	// BUILDING: six steps run (RunSanitizeScript is for Linux), a sixth of the pace each.
	building := []string{
		"LaunchBuildInstance:RUNNING ApplyBuildComponents:PENDING InventoryCollection:PENDING RunSanitizeScript:PENDING RunSysPrepScript:PENDING CreateOutputAMI:PENDING TerminateBuildInstance:PENDING",
		"LaunchBuildInstance:COMPLETED ApplyBuildComponents:RUNNING InventoryCollection:PENDING RunSanitizeScript:PENDING RunSysPrepScript:PENDING CreateOutputAMI:PENDING TerminateBuildInstance:PENDING",
		"LaunchBuildInstance:COMPLETED ApplyBuildComponents:COMPLETED InventoryCollection:RUNNING RunSanitizeScript:PENDING RunSysPrepScript:PENDING CreateOutputAMI:PENDING TerminateBuildInstance:PENDING",
		"LaunchBuildInstance:COMPLETED ApplyBuildComponents:COMPLETED InventoryCollection:COMPLETED RunSanitizeScript:SKIPPED RunSysPrepScript:RUNNING CreateOutputAMI:PENDING TerminateBuildInstance:PENDING",
		"LaunchBuildInstance:COMPLETED ApplyBuildComponents:COMPLETED InventoryCollection:COMPLETED RunSanitizeScript:SKIPPED RunSysPrepScript:COMPLETED CreateOutputAMI:RUNNING TerminateBuildInstance:PENDING",
		"LaunchBuildInstance:COMPLETED ApplyBuildComponents:COMPLETED InventoryCollection:COMPLETED RunSanitizeScript:SKIPPED RunSysPrepScript:COMPLETED CreateOutputAMI:COMPLETED TerminateBuildInstance:RUNNING",
	}
	var buildID *string
	for k, want := range building {
		moveTo(e.clock, t0.Add(pace+pace*time.Duration(k)/6))
		xs := executionsOf(t, e, arn)
		if got := summary(xs, execKey); got != "BUILD:RUNNING" {
			t.Fatalf("at %d/6 of BUILDING, executions %s", k, got)
		}
		buildID = xs[0].WorkflowExecutionId
		if got := summary(stepsOf(t, e, buildID), stepKey); got != want {
			t.Errorf("at %d/6 of BUILDING:\n got %s\nwant %s", k, got, want)
		}
	}

	// TESTING: the build workflow has completed; the test one runs three steps.
	moveTo(e.clock, t0.Add(2*pace+pace/2))
	xs := executionsOf(t, e, arn)
	if got := summary(xs, execKey); got != "BUILD:COMPLETED TEST:RUNNING" {
		t.Fatalf("while TESTING, executions %s", got)
	}
	b := xs[0]
	if !wfIDRE.MatchString(aws.ToString(b.WorkflowExecutionId)) || aws.ToString(b.WorkflowExecutionId) != aws.ToString(buildID) ||
		aws.ToString(b.WorkflowBuildVersionArn) != "arn:aws:imagebuilder:us-east-1:aws:workflow/build/build-image/1.0.3/1" ||
		b.TotalStepCount != 7 || b.TotalStepsSucceeded != 6 || b.TotalStepsSkipped != 1 || b.TotalStepsFailed != 0 ||
		aws.ToString(b.StartTime) != stamp(t0.Add(pace)) || aws.ToString(b.EndTime) != stamp(t0.Add(2*pace)) {
		t.Errorf("build execution %+v", b)
	}
	if got := summary(stepsOf(t, e, xs[1].WorkflowExecutionId), stepKey); got !=
		"LaunchTestInstance:COMPLETED CollectImageScanFindings:SKIPPED ApplyTestComponents:RUNNING TerminateTestInstance:PENDING" {
		t.Errorf("test steps at half the pace: %s", got)
	}
	if aws.ToString(xs[1].WorkflowBuildVersionArn) != "arn:aws:imagebuilder:us-east-1:aws:workflow/test/test-image/1.0.3/1" || xs[1].EndTime != nil {
		t.Errorf("test execution %+v", xs[1])
	}

	// AVAILABLE: both completed, and the image's AMI is CreateOutputAMI's output.
	moveTo(e.clock, t0.Add(4*pace))
	img := getImage(t, e, arn)
	if img.State.Status != types.ImageStatusAvailable {
		t.Fatalf("state %s (%s)", img.State.Status, aws.ToString(img.State.Reason))
	}
	xs = executionsOf(t, e, arn)
	if got := summary(xs, execKey); got != "BUILD:COMPLETED TEST:COMPLETED" || xs[1].TotalStepsSucceeded != 3 || xs[1].TotalStepsSkipped != 1 {
		t.Errorf("executions %s %+v", got, xs)
	}
	steps := stepsOf(t, e, buildID)
	create := steps[5]
	if want := fmt.Sprintf(`{"imageId": %q}`, aws.ToString(img.OutputResources.Amis[0].Image)); aws.ToString(create.Outputs) != want {
		t.Errorf("CreateOutputAMI outputs %s, want %s", aws.ToString(create.Outputs), want)
	}
	launch := try(e.ib.GetWorkflowStepExecution(ctx, &imagebuilder.GetWorkflowStepExecutionInput{StepExecutionId: steps[0].StepExecutionId})).must(t)
	if !stepIDRE.MatchString(aws.ToString(launch.StepExecutionId)) || aws.ToString(launch.Name) != "LaunchBuildInstance" ||
		aws.ToString(launch.Action) != "LaunchInstance" || aws.ToString(launch.OnFailure) != "Abort" ||
		aws.ToString(launch.Inputs) != `{"waitFor": "ssmAgent"}` || !strings.HasPrefix(aws.ToString(launch.Outputs), `{"instanceId": "i-0`) ||
		aws.ToString(launch.WorkflowExecutionId) != aws.ToString(buildID) || aws.ToString(launch.ImageBuildVersionArn) != arn ||
		aws.ToString(launch.StartTime) != stamp(t0.Add(pace)) || aws.ToString(launch.EndTime) != stamp(t0.Add(pace+pace/6)) {
		t.Errorf("launch step %+v", launch)
	}
	if terminate := steps[6]; aws.ToString(terminate.Inputs) != aws.ToString(launch.Outputs) {
		t.Errorf("TerminateBuildInstance takes %s, launch gave %s", aws.ToString(terminate.Inputs), aws.ToString(launch.Outputs))
	}
	got := try(e.ib.GetWorkflowExecution(ctx, &imagebuilder.GetWorkflowExecutionInput{WorkflowExecutionId: xs[1].WorkflowExecutionId})).must(t)
	if got.Type != types.WorkflowTypeTest || got.Status != types.WorkflowExecutionStatusCompleted || aws.ToString(got.ImageBuildVersionArn) != arn ||
		got.TotalStepCount != 4 || aws.ToString(got.StartTime) != stamp(t0.Add(2*pace)) || aws.ToString(got.EndTime) != stamp(t0.Add(3*pace)) {
		t.Errorf("GetWorkflowExecution %+v", got)
	}
}

// The same build in another sandbox has the same IDs; another build has others.
func TestWorkflowIDsAreDerived(t *testing.T) {
	ids := func() []string {
		e := start(t)
		s := makeStack(t, e, "derived", stackOptions{testsDisabled: true})
		first := run(t, e, s.pipeline)
		second := run(t, e, s.pipeline)
		var out []string
		for _, img := range []*types.Image{first, second} {
			x := executionsOf(t, e, aws.ToString(img.Arn))[0]
			out = append(out, aws.ToString(x.WorkflowExecutionId), aws.ToString(stepsOf(t, e, x.WorkflowExecutionId)[0].StepExecutionId))
		}
		return out
	}
	a, b := ids(), ids()
	if strings.Join(a, " ") != strings.Join(b, " ") {
		t.Errorf("IDs differ between runs:\n%v\n%v", a, b)
	}
	if a[0] == a[2] || a[1] == a[3] {
		t.Errorf("two builds share IDs: %v", a)
	}
}

func TestWorkflowFailures(t *testing.T) {
	skipped6 := " ApplyBuildComponents:SKIPPED InventoryCollection:SKIPPED RunSanitizeScript:SKIPPED RunSysPrepScript:SKIPPED CreateOutputAMI:SKIPPED TerminateBuildInstance:SKIPPED"
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, e *env) stackOptions
		after func(t *testing.T, e *env)
		// midway are the steps halfway through the failing state, final
		// after the build; failed is the failing step and when it ran, in
		// paces after the start.
		midway, final   string
		failed          string
		from, to        time.Duration
		detail          string // in the failed step's message
		executionsFinal string
	}{{
		name:  "instance profile deleted",
		setup: func(t *testing.T, e *env) stackOptions { return stackOptions{} },
		after: func(t *testing.T, e *env) {
			_ = e.store.Update(func(w *world.World) error { delete(w.IAM.InstanceProfiles, world.BuildRoleName); return nil })
		},
		final:  "LaunchBuildInstance:FAILED" + skipped6,
		failed: "LaunchBuildInstance", from: pace, to: pace,
		detail:          "Value (winami-build) for parameter iamInstanceProfile.name is invalid",
		executionsFinal: "BUILD:FAILED",
	}, {
		name:   "role without Systems Manager",
		setup:  func(t *testing.T, e *env) stackOptions { return stackOptions{instanceProfile: "legacy-build"} },
		midway: "LaunchBuildInstance:RUNNING ApplyBuildComponents:PENDING InventoryCollection:PENDING RunSanitizeScript:PENDING RunSysPrepScript:PENDING CreateOutputAMI:PENDING TerminateBuildInstance:PENDING",
		final:  "LaunchBuildInstance:FAILED" + skipped6,
		failed: "LaunchBuildInstance", from: pace, to: 2 * pace,
		detail:          "Timed out waiting for instance i-0",
		executionsFinal: "BUILD:FAILED",
	}, {
		name: "OS build assertion",
		setup: func(t *testing.T, e *env) stackOptions {
			return stackOptions{components: []types.ComponentConfiguration{{ComponentArn: aws.String(createComponent(t, e, "os-build", "1.0.0", assertDoc("10.0.20348.1")))}}}
		},
		midway: "LaunchBuildInstance:COMPLETED ApplyBuildComponents:RUNNING InventoryCollection:PENDING RunSanitizeScript:PENDING RunSysPrepScript:PENDING CreateOutputAMI:PENDING TerminateBuildInstance:PENDING",
		final:  "LaunchBuildInstance:COMPLETED ApplyBuildComponents:FAILED InventoryCollection:SKIPPED RunSanitizeScript:SKIPPED RunSysPrepScript:SKIPPED CreateOutputAMI:SKIPPED TerminateBuildInstance:SKIPPED",
		failed: "ApplyBuildComponents", from: pace + pace/6, to: 2 * pace,
		detail:          "Step 'AssertOSBuild' of phase 'validate' failed",
		executionsFinal: "BUILD:FAILED",
	}, {
		name: "OS build assertion in the test phase",
		setup: func(t *testing.T, e *env) stackOptions {
			return stackOptions{components: []types.ComponentConfiguration{{ComponentArn: aws.String(createComponent(t, e, "os-test", "1.0.0", testDoc("10.0.20348.1")))}}}
		},
		midway: "LaunchTestInstance:COMPLETED CollectImageScanFindings:SKIPPED ApplyTestComponents:RUNNING TerminateTestInstance:PENDING",
		final:  "LaunchTestInstance:COMPLETED CollectImageScanFindings:SKIPPED ApplyTestComponents:FAILED TerminateTestInstance:SKIPPED",
		failed: "ApplyTestComponents", from: 2*pace + pace/3, to: 3 * pace,
		detail:          "Step 'AssertOSBuild' of phase 'test' failed",
		executionsFinal: "BUILD:COMPLETED TEST:FAILED",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			e := start(t)
			s := makeStack(t, e, "failing", tc.setup(t, e))
			if tc.after != nil {
				tc.after(t, e)
			}
			arn, t0 := startBuild(t, e, s.pipeline)
			last := func() types.WorkflowExecutionMetadata {
				xs := executionsOf(t, e, arn)
				return xs[len(xs)-1]
			}
			if tc.midway != "" {
				// Halfway through the state that fails, before it has.
				moveTo(e.clock, t0.Add(tc.to-pace/2))
				x := last()
				if got := summary(stepsOf(t, e, x.WorkflowExecutionId), stepKey); x.Status != types.WorkflowExecutionStatusRunning || got != tc.midway {
					t.Errorf("midway %s:\n got %s\nwant %s", x.Status, got, tc.midway)
				}
			}
			moveTo(e.clock, t0.Add(4*pace))
			img := getImage(t, e, arn)
			if img.State.Status != types.ImageStatusFailed {
				t.Fatalf("state %s", img.State.Status)
			}
			xs := executionsOf(t, e, arn)
			x := xs[len(xs)-1]
			steps := stepsOf(t, e, x.WorkflowExecutionId)
			if got := summary(xs, execKey); got != tc.executionsFinal {
				t.Errorf("executions %s, want %s", got, tc.executionsFinal)
			}
			if got := summary(steps, stepKey); got != tc.final {
				t.Errorf("final:\n got %s\nwant %s", got, tc.final)
			}
			if aws.ToString(x.Message) != aws.ToString(img.State.Reason) || x.TotalStepsFailed != 1 ||
				aws.ToString(x.EndTime) != stamp(t0.Add(tc.to)) {
				t.Errorf("execution %+v, image reason %q", x, aws.ToString(img.State.Reason))
			}
			after := false
			for _, st := range steps {
				if aws.ToString(st.Name) != tc.failed {
					// The steps after the failure are skipped when it happens.
					if after && aws.ToString(st.StartTime) != stamp(t0.Add(tc.to)) {
						t.Errorf("%s skipped at %s", aws.ToString(st.Name), aws.ToString(st.StartTime))
					}
					continue
				}
				after = true
				if aws.ToString(st.StartTime) != stamp(t0.Add(tc.from)) || aws.ToString(st.EndTime) != stamp(t0.Add(tc.to)) ||
					!strings.Contains(aws.ToString(st.Message), tc.detail) || strings.HasPrefix(aws.ToString(st.Message), "Workflow Step") {
					t.Errorf("failed step %s from %s to %s: %q", aws.ToString(st.Name), aws.ToString(st.StartTime), aws.ToString(st.EndTime), aws.ToString(st.Message))
				}
			}
		})
	}
}

// A distribution failure fails the image, not a workflow.
func TestDistributionFailureCompletesWorkflows(t *testing.T) {
	e := start(t)
	s := makeStack(t, e, "undistributed", stackOptions{distributions: []types.Distribution{{Region: aws.String("us-east-1"),
		AmiDistributionConfiguration: &types.AmiDistributionConfiguration{Name: aws.String("always-the-same")}}}})
	run(t, e, s.pipeline)
	img := run(t, e, s.pipeline)
	if img.State.Status != types.ImageStatusFailed {
		t.Fatalf("second build %s", img.State.Status)
	}
	if got := summary(executionsOf(t, e, aws.ToString(img.Arn)), execKey); got != "BUILD:COMPLETED TEST:COMPLETED" {
		t.Errorf("executions %s", got)
	}
}

func TestCancelledBuildCancelsTheRunningStep(t *testing.T) {
	for _, tc := range []struct {
		name       string
		at         time.Duration // after the start
		executions string
		steps      string
		from       time.Duration // when the cancelled step started
	}{{
		// Five steps run, two fifths of the pace each.
		name: "building", at: pace + pace/2, executions: "BUILD:CANCELLED", from: pace + 2*pace/5,
		steps: "LaunchBuildInstance:COMPLETED InventoryCollection:COMPLETED RunSanitizeScript:SKIPPED RunSysPrepScript:CANCELLED CreateOutputAMI:SKIPPED TerminateBuildInstance:SKIPPED",
	}, {
		name: "testing", at: 2*pace + pace/10, executions: "BUILD:COMPLETED TEST:CANCELLED", from: 2 * pace,
		steps: "LaunchTestInstance:CANCELLED CollectImageScanFindings:SKIPPED ApplyTestComponents:SKIPPED TerminateTestInstance:SKIPPED",
	}, {
		name: "pending", at: pace / 2, executions: "",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			e := start(t)
			// No components: ApplyBuildComponents has nothing to run.
			s := makeStack(t, e, "cancelled", stackOptions{})
			arn, t0 := startBuild(t, e, s.pipeline)
			moveTo(e.clock, t0.Add(tc.at))
			try(e.ib.CancelImageCreation(t.Context(), &imagebuilder.CancelImageCreationInput{ImageBuildVersionArn: aws.String(arn)})).must(t)
			e.clock.Advance(time.Hour)
			xs := executionsOf(t, e, arn)
			if got := summary(xs, execKey); got != tc.executions {
				t.Fatalf("executions %s, want %s", got, tc.executions)
			}
			if len(xs) == 0 {
				return
			}
			x := xs[len(xs)-1]
			steps := stepsOf(t, e, x.WorkflowExecutionId)
			var got []string
			for _, st := range steps {
				if aws.ToString(st.Name) == "ApplyBuildComponents" {
					if st.Status != types.WorkflowStepExecutionStatusSkipped {
						t.Errorf("ApplyBuildComponents without components: %s", st.Status)
					}
					continue
				}
				got = append(got, aws.ToString(st.Name)+":"+string(st.Status))
				if st.Status == types.WorkflowStepExecutionStatusCancelled &&
					(aws.ToString(st.StartTime) != stamp(t0.Add(tc.from)) || aws.ToString(st.EndTime) != stamp(t0.Add(tc.at))) {
					t.Errorf("cancelled step ran from %s to %s", aws.ToString(st.StartTime), aws.ToString(st.EndTime))
				}
			}
			if strings.Join(got, " ") != tc.steps {
				t.Errorf("steps:\n got %s\nwant %s", strings.Join(got, " "), tc.steps)
			}
			if aws.ToString(x.EndTime) != stamp(t0.Add(tc.at)) || !strings.Contains(aws.ToString(x.Message), "cancelled") {
				t.Errorf("execution %+v", x)
			}
		})
	}
}

func TestWorkflowPagingAndErrors(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	s := makeStack(t, e, "paged", stackOptions{})
	img := run(t, e, s.pipeline)
	arn := aws.ToString(img.Arn)

	first := try(e.ib.ListWorkflowExecutions(ctx, &imagebuilder.ListWorkflowExecutionsInput{ImageBuildVersionArn: aws.String(arn), MaxResults: aws.Int32(1)})).must(t)
	second := try(e.ib.ListWorkflowExecutions(ctx, &imagebuilder.ListWorkflowExecutionsInput{ImageBuildVersionArn: aws.String(arn), MaxResults: aws.Int32(1),
		NextToken: first.NextToken})).must(t)
	if summary(first.WorkflowExecutions, execKey) != "BUILD:COMPLETED" || first.NextToken == nil ||
		summary(second.WorkflowExecutions, execKey) != "TEST:COMPLETED" || second.NextToken != nil || aws.ToString(second.ImageBuildVersionArn) != arn {
		t.Errorf("pages %+v then %+v", first, second)
	}
	var names []string
	p := imagebuilder.NewListWorkflowStepExecutionsPaginator(e.ib, &imagebuilder.ListWorkflowStepExecutionsInput{
		WorkflowExecutionId: first.WorkflowExecutions[0].WorkflowExecutionId, MaxResults: aws.Int32(3)})
	pages := 0
	for p.HasMorePages() {
		page := try(p.NextPage(ctx)).must(t)
		pages++
		for _, st := range page.Steps {
			names = append(names, aws.ToString(st.Name))
		}
	}
	if pages != 3 || strings.Join(names, " ") != "LaunchBuildInstance ApplyBuildComponents InventoryCollection RunSanitizeScript RunSysPrepScript CreateOutputAMI TerminateBuildInstance" {
		t.Errorf("%d pages of steps %v", pages, names)
	}

	_, err := e.ib.ListWorkflowExecutions(ctx, &imagebuilder.ListWorkflowExecutionsInput{ImageBuildVersionArn: aws.String(arn), NextToken: aws.String("bogus")})
	sandboxtest.WantAPIError(t, err, "InvalidPaginationTokenException", "")
	_, err = e.ib.ListWorkflowExecutions(ctx, &imagebuilder.ListWorkflowExecutionsInput{ImageBuildVersionArn: aws.String(arn + "0")})
	sandboxtest.WantAPIError(t, err, "ResourceNotFoundException", "")
	_, err = e.ib.ListWorkflowExecutions(ctx, &imagebuilder.ListWorkflowExecutionsInput{ImageBuildVersionArn: aws.String(versionOf(arn))})
	sandboxtest.WantAPIError(t, err, "InvalidRequestException", "")

	unknownWF, unknownStep := "wf-00000000-0000-4000-8000-000000000000", "step-00000000-0000-4000-8000-000000000000"
	_, err = e.ib.GetWorkflowExecution(ctx, &imagebuilder.GetWorkflowExecutionInput{WorkflowExecutionId: aws.String(unknownWF)})
	sandboxtest.WantAPIError(t, err, "ResourceNotFoundException", "The workflow execution '"+unknownWF+"' cannot be found.")
	_, err = e.ib.ListWorkflowStepExecutions(ctx, &imagebuilder.ListWorkflowStepExecutionsInput{WorkflowExecutionId: aws.String(unknownWF)})
	sandboxtest.WantAPIError(t, err, "ResourceNotFoundException", "")
	_, err = e.ib.GetWorkflowStepExecution(ctx, &imagebuilder.GetWorkflowStepExecutionInput{StepExecutionId: aws.String(unknownStep)})
	sandboxtest.WantAPIError(t, err, "ResourceNotFoundException", "")
	_, err = e.ib.GetWorkflowExecution(ctx, &imagebuilder.GetWorkflowExecutionInput{WorkflowExecutionId: aws.String("wf-1234")})
	sandboxtest.WantAPIError(t, err, "InvalidRequestException", "")
	_, err = e.ib.GetWorkflowStepExecution(ctx, &imagebuilder.GetWorkflowStepExecutionInput{StepExecutionId: first.WorkflowExecutions[0].WorkflowExecutionId})
	sandboxtest.WantAPIError(t, err, "InvalidRequestException", "")

	// Another region knows nothing of them.
	_, err = e.ib.GetWorkflowExecution(ctx, &imagebuilder.GetWorkflowExecutionInput{WorkflowExecutionId: first.WorkflowExecutions[0].WorkflowExecutionId}, inRegion("us-west-2"))
	sandboxtest.WantAPIError(t, err, "ResourceNotFoundException", "")
	// A deleted build takes its workflows with it.
	try(e.ib.DeleteImage(ctx, &imagebuilder.DeleteImageInput{ImageBuildVersionArn: aws.String(arn)})).must(t)
	_, err = e.ib.GetWorkflowExecution(ctx, &imagebuilder.GetWorkflowExecutionInput{WorkflowExecutionId: first.WorkflowExecutions[0].WorkflowExecutionId})
	sandboxtest.WantAPIError(t, err, "ResourceNotFoundException", "")
}

// versionOf is a build ARN without its build number.
func versionOf(arn string) string { return arn[:strings.LastIndex(arn, "/")] }

func TestWorkflowsAtZeroPace(t *testing.T) {
	e := startPaced(t, 0)
	s := makeStack(t, e, "instant", stackOptions{})
	arn := aws.ToString(try(e.ib.StartImagePipelineExecution(t.Context(), &imagebuilder.StartImagePipelineExecutionInput{
		ImagePipelineArn: aws.String(s.pipeline)})).must(t).ImageBuildVersionArn)
	xs := executionsOf(t, e, arn)
	if got := summary(xs, execKey); got != "BUILD:COMPLETED TEST:COMPLETED" {
		t.Fatalf("executions %s", got)
	}
	for _, x := range xs {
		for _, st := range stepsOf(t, e, x.WorkflowExecutionId) {
			if aws.ToString(st.StartTime) != aws.ToString(x.StartTime) || aws.ToString(st.EndTime) != aws.ToString(x.StartTime) {
				t.Errorf("%s from %s to %s in a workflow of no time", aws.ToString(st.Name), aws.ToString(st.StartTime), aws.ToString(st.EndTime))
			}
		}
	}
}
