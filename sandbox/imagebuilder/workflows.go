package imagebuilder

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/winami/winami/sandbox/world"
)

// Workflow executions. Image Builder runs a build as workflows: without
// workflows of the pipeline's own, the Amazon-managed build-image (type BUILD)
// and, when image tests are on, test-image (TEST); the default distribution
// is not a workflow execution. The sandbox stores nothing of them: a build's
// executions are derived from the build (its creation time, pace, state and
// reason), so they always agree with GetImage and need no migration of saved
// worlds. The build workflow runs while the image is BUILDING, the test one
// while it is TESTING; the steps that run share the state's pace evenly.
// While a state runs, the checks its end will make are made in advance (they
// read the world, nothing more), so that the step that is going to fail is
// shown RUNNING until the state ends rather than COMPLETED and then FAILED.

// Workflow step statuses, as ListWorkflowStepExecutions answers them; the
// workflow execution statuses the sandbox uses have the same names.
const (
	stepPending   = "PENDING"
	stepRunning   = "RUNNING"
	stepCompleted = "COMPLETED"
	stepFailed    = "FAILED"
	stepSkipped   = "SKIPPED"
	stepCancelled = "CANCELLED"
)

// stepDef is a step of a managed workflow document.
type stepDef struct {
	name, action, onFailure string
	// runs reports whether the step's condition holds for a build; a step
	// whose condition does not hold is SKIPPED when the workflow reaches it.
	runs func(sc *scope, img *world.ImageBuildVersion) bool
}

// workflowDef is a managed workflow: its type, the ARN path of its build
// version, and its steps in order.
type workflowDef struct {
	typ, arnPath string
	// launch is the name of the step that launches the workflow's instance,
	// whose output the later steps take as input.
	launch string
	steps  []stepDef
}

func always(*scope, *world.ImageBuildVersion) bool { return true }

// The managed workflows, by the steps AWS's API reference shows them running
// (ListWorkflowStepExecutions and ListWorkflowExecutions examples, build-image
// and test-image 1.0.3) and the conditions of their published documents. The
// sandbox has no image scanning, so CollectImageScanFindings never runs;
// ExecuteComponents is skipped when no component has a phase it runs, as AWS's
// examples show it skipped.
var (
	buildWorkflow = workflowDef{
		typ: "BUILD", arnPath: "workflow/build/build-image/1.0.3/1", launch: "LaunchBuildInstance",
		steps: []stepDef{
			{"LaunchBuildInstance", "LaunchInstance", "Abort", always},
			{"ApplyBuildComponents", "ExecuteComponents", "Abort", func(sc *scope, img *world.ImageBuildVersion) bool {
				return hasPhase(sc, img, "build", "validate")
			}},
			{"InventoryCollection", "CollectImageMetadata", "Abort", func(_ *scope, img *world.ImageBuildVersion) bool {
				return img.EnhancedImageMetadataEnabled
			}},
			{"RunSanitizeScript", "SanitizeInstance", "Abort", func(_ *scope, img *world.ImageBuildVersion) bool {
				return img.Platform == "Linux"
			}},
			{"RunSysPrepScript", "RunSysPrep", "Abort", func(_ *scope, img *world.ImageBuildVersion) bool {
				return img.Platform == "Windows"
			}},
			{"CreateOutputAMI", "CreateImage", "Abort", always},
			{"TerminateBuildInstance", "TerminateInstance", "Continue", always},
		},
	}
	testWorkflow = workflowDef{
		typ: "TEST", arnPath: "workflow/test/test-image/1.0.3/1", launch: "LaunchTestInstance",
		steps: []stepDef{
			{"LaunchTestInstance", "LaunchInstance", "Abort", always},
			{"CollectImageScanFindings", "CollectImageScanFindings", "Continue", func(*scope, *world.ImageBuildVersion) bool { return false }},
			{"ApplyTestComponents", "ExecuteComponents", "Abort", func(sc *scope, img *world.ImageBuildVersion) bool {
				return hasPhase(sc, img, "test")
			}},
			{"TerminateTestInstance", "TerminateInstance", "Continue", always},
		},
	}
	managedWorkflows = []*workflowDef{&buildWorkflow, &testWorkflow}
)

func (d *workflowDef) has(step string) bool {
	return slices.ContainsFunc(d.steps, func(s stepDef) bool { return s.name == step })
}

// hasPhase reports a recipe component with one of the phases. A component
// that cannot be read counts, so that the step runs and fails on it.
func hasPhase(sc *scope, img *world.ImageBuildVersion, phases ...string) bool {
	for _, cc := range img.ImageRecipe.Components {
		c := findComponent(sc, cc.ComponentARN)
		if c == nil {
			return true
		}
		doc, ok := parseDocument(c.Data)
		if !ok || slices.ContainsFunc(doc.Phases, func(p docPhase) bool { return slices.Contains(phases, p.Name) }) {
			return true
		}
	}
	return false
}

// execution is a workflow execution of a build as of a moment.
type execution struct {
	def        *workflowDef
	img        *world.ImageBuildVersion
	id         string
	status     string
	message    string
	start, end time.Time // end is zero while it runs
	steps      []stepExecution
}

// stepExecution is a step of an execution; start and end are zero until the
// step starts and ends.
type stepExecution struct {
	def                 *stepDef
	id, status, message string
	inputs, outputs     string
	start, end          time.Time
}

// workflowARN is the build version ARN of a managed workflow in a region.
func workflowARN(region string, d *workflowDef) string {
	return fmt.Sprintf("arn:aws:imagebuilder:%s:aws:%s", region, d.arnPath)
}

// executionID and stepExecutionID are IDs in AWS's format (a prefix and a
// version 4 UUID) derived from the build, so that they are the same in every
// run; the creation time tells apart a build and a later one of the same ARN
// (after DeleteImage).
func executionID(img *world.ImageBuildVersion, d *workflowDef) string {
	return "wf-" + derivedUUID(img, d.typ)
}

func stepExecutionID(img *world.ImageBuildVersion, d *workflowDef, step string) string {
	return "step-" + derivedUUID(img, d.typ+"/"+step)
}

func derivedUUID(img *world.ImageBuildVersion, what string) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s#%d#%s", img.ARN, img.DateCreated.UnixNano(), what))
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// failedStep is the step a failure reason names ("Workflow Step 'X' failed:
// ...") and the reason without that prefix.
func failedStep(reason string) (step, detail string) {
	rest, ok := strings.CutPrefix(reason, "Workflow Step '")
	if !ok {
		return "", reason
	}
	step, detail, ok = strings.Cut(rest, "' failed: ")
	if !ok {
		return "", reason
	}
	return step, detail
}

// course is how a workflow goes, the input of its step timeline.
type course struct {
	def    *workflowDef
	start  time.Time
	length time.Duration // the pace its steps share
	// done: the image has left the workflow's state.
	done bool
	// failStep is the step that failed at failAt, or, with failAt zero, the
	// step the state's end is going to fail.
	failStep, reason string
	failAt           time.Time
	// cancelAt is when the build was cancelled during the workflow.
	cancelAt time.Time
}

// executions are the build's workflow executions that have started, as of
// now, in the order they ran. Only the account's pipeline builds have any:
// Amazon's images were not built in the sandbox.
func executions(sc *scope, img *world.ImageBuildVersion, now time.Time) []*execution {
	if img.Owner != sc.account() || img.SourcePipelineARN == "" {
		return nil
	}
	build := &course{def: &buildWorkflow, start: img.DateCreated.Add(img.Pace), length: img.Pace}
	test := &course{def: &testWorkflow, start: build.start.Add(img.Pace), length: img.Pace}
	tests := testsEnabled(img)
	courses := func(cs ...*course) []*execution {
		var out []*execution
		for _, c := range cs {
			out = append(out, c.run(sc, img, now))
		}
		return out
	}
	switch img.State {
	case statePending:
		return nil
	case stateBuilding:
		// The checks build.go's step makes on leaving BUILDING, in its
		// order; the two must stay alike.
		reason := instanceAccess(sc, img)
		if reason == "" {
			reason = runPhases(sc, img, "BUILD", "build", "validate")
		}
		build.foresee(reason)
		return courses(build)
	case stateTesting:
		build.done = true
		test.foresee(runPhases(sc, img, "", "test"))
		return courses(build, test)
	case stateFailed:
		step, _ := failedStep(img.StateReason)
		switch {
		case buildWorkflow.has(step):
			build.fail(step, img.StateReason, img.StateChangedAt)
			return courses(build)
		case testWorkflow.has(step):
			build.done = true
			test.fail(step, img.StateReason, img.StateChangedAt)
			return courses(build, test)
		}
		// Distribution failed: the workflows had completed.
	case stateCancelled:
		at := img.StateChangedAt
		switch {
		case img.Pace == 0: // such a build ends as it starts: it was not cancelled during a workflow
		case at.Before(build.start):
			return nil
		case at.Before(test.start):
			build.cancelAt = at
			return courses(build)
		case tests && at.Before(test.start.Add(img.Pace)):
			build.done, test.cancelAt = true, at
			return courses(build, test)
		}
	}
	build.done, test.done = true, true
	if tests {
		return courses(build, test)
	}
	return courses(build)
}

func (c *course) foresee(reason string) {
	if step, _ := failedStep(reason); c.def.has(step) {
		c.failStep = step
	}
}

func (c *course) fail(step, reason string, at time.Time) {
	c.done, c.failStep, c.reason, c.failAt = true, step, reason, at
}

// run lays out the workflow's steps: the steps that run take their share of
// the pace in turn; a skipped step takes none, and is SKIPPED when the one
// before it ends. A failure (or cancellation) ends the step it happens in,
// and the later steps are SKIPPED at that moment.
func (c *course) run(sc *scope, img *world.ImageBuildVersion, now time.Time) *execution {
	x := &execution{def: c.def, img: img, id: executionID(img, c.def), start: c.start, status: stepRunning}
	runs := make([]bool, len(c.def.steps))
	share := 0
	for i, d := range c.def.steps {
		runs[i] = d.name == c.failStep || d.runs(sc, img)
		if runs[i] {
			share++
		}
	}
	end := c.start.Add(c.length)
	slot := func(j int) time.Time {
		return c.start.Add(time.Duration(int64(c.length) * int64(j) / int64(max(share, 1))))
	}
	cancelled := !c.cancelAt.IsZero()
	if cancelled {
		// Nothing moved after the cancellation.
		now = c.cancelAt
	}
	// The build instance is the one build.go names when it cannot register
	// with SSM.
	instance := world.ResourceID("i", img.ARN, nil)
	if c.def != &buildWorkflow {
		instance = world.ResourceID("i", img.ARN+"/"+c.def.launch, nil)
	}
	var (
		j       int       // steps that run, passed
		cursor  = c.start // when the step before ended
		flowing = c.done || !now.Before(c.start)
		halted  bool
		haltAt  time.Time
	)
	for i := range c.def.steps {
		d := &c.def.steps[i]
		s := stepExecution{def: d, id: stepExecutionID(img, c.def, d.name), status: stepPending}
		switch {
		case halted:
			s.status, s.start, s.end = stepSkipped, haltAt, haltAt
		case !runs[i]:
			if flowing {
				s.status, s.start, s.end = stepSkipped, cursor, cursor
			}
		default:
			a, b := slot(j), slot(j+1)
			j++
			switch {
			case !flowing:
			case d.name == c.failStep && !c.failAt.IsZero():
				_, detail := failedStep(c.reason)
				s.status, s.start, s.end, s.message = stepFailed, minTime(a, c.failAt), c.failAt, detail
				halted, haltAt = true, c.failAt
			case d.name == c.failStep:
				// Foreseen: it runs until the state ends, and fails then.
				if !now.Before(a) {
					s.status, s.start = stepRunning, a
				}
				flowing = false
			case c.done || (!now.Before(b) && b.Before(end)):
				s.status, s.start, s.end = stepCompleted, a, b
				cursor = b
			case cancelled:
				s.status, s.start, s.end, s.message = stepCancelled, minTime(a, now), now, img.StateReason
				halted, haltAt = true, now
			case !now.Before(a):
				s.status, s.start = stepRunning, a
				flowing = false
			default:
				flowing = false
			}
		}
		s.inputs, s.outputs = stepIO(sc, img, c.def, d, s.status, instance)
		x.steps = append(x.steps, s)
	}
	switch {
	case !c.failAt.IsZero():
		x.status, x.end, x.message = stepFailed, c.failAt, c.reason
	case cancelled:
		x.status, x.end, x.message = stepCancelled, c.cancelAt, img.StateReason
	case c.done:
		x.status, x.end = stepCompleted, end
	}
	return x
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// stepIO are a step's inputs and outputs as JSON strings, in the form AWS's
// examples show: inputs resolved once the step has started, outputs of a
// completed launch (the instance) and image creation (the AMI, once
// distribution has registered it).
func stepIO(sc *scope, img *world.ImageBuildVersion, w *workflowDef, d *stepDef, status, instance string) (inputs, outputs string) {
	started := status != stepPending && status != stepSkipped
	switch {
	case d.action == "LaunchInstance":
		inputs = `{"waitFor": "ssmAgent"}`
		if status == stepCompleted {
			outputs = fmt.Sprintf(`{"instanceId": %q}`, instance)
		}
	case started:
		inputs = fmt.Sprintf(`{"instanceId": %q}`, instance)
	default:
		inputs = fmt.Sprintf(`{"instanceId.$": "$.stepOutputs.%s.instanceId"}`, w.launch)
	}
	if d.action == "CreateImage" && status == stepCompleted {
		for _, out := range img.OutputAMIs {
			if out.Region == sc.r.Name && out.AccountID == img.Owner {
				outputs = fmt.Sprintf(`{"imageId": %q}`, out.ImageID)
			}
		}
	}
	return inputs, outputs
}
