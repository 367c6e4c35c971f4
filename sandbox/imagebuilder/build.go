package imagebuilder

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/winami/winami/sandbox/awstoe"
	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

// Image states of a build.
const (
	statePending      = "PENDING"
	stateBuilding     = "BUILDING"
	stateTesting      = "TESTING"
	stateDistributing = "DISTRIBUTING"
	stateAvailable    = "AVAILABLE"
	stateFailed       = "FAILED"
	stateCancelled    = "CANCELLED"
)

// inProgress reports a build that has not ended.
func inProgress(state string) bool {
	switch state {
	case statePending, "CREATING", stateBuilding, stateTesting, stateDistributing, "INTEGRATING":
		return true
	}
	return false
}

// due reports a build whose next state change is not in the future.
func due(img *world.ImageBuildVersion, now time.Time) bool {
	return inProgress(img.State) && !now.Before(img.StateChangedAt.Add(img.Pace))
}

// settle advances the builds of the request's region that are due, so a
// read sees them where they are. It takes the write lock only when a build
// is due.
func (s *service) settle(req *protocol.Request) error {
	now := s.now().UTC()
	pending := false
	err := s.view(req, func(sc *scope) error {
		for _, img := range sc.ib.Images {
			if due(img, now) {
				pending = true
				return nil
			}
		}
		return nil
	})
	if err != nil || !pending {
		return err
	}
	return s.update(req, func(sc *scope) error {
		advanceAll(sc, now)
		return nil
	})
}

// advanceAll advances every due build of the region, in ARN order so that
// builds racing for the same AMI name or parameter resolve the same way
// every time.
func advanceAll(sc *scope, now time.Time) {
	var arns []string
	for arn, img := range sc.ib.Images {
		if due(img, now) {
			arns = append(arns, arn)
		}
	}
	slices.Sort(arns)
	for _, arn := range arns {
		advance(sc, sc.ib.Images[arn], now)
	}
}

// advance moves a build through every state change due by now. Each change
// happens at the time it was due, not at now, so the outcome does not depend
// on when anyone looked.
func advance(sc *scope, img *world.ImageBuildVersion, now time.Time) {
	for inProgress(img.State) {
		at := img.StateChangedAt.Add(img.Pace)
		if now.Before(at) {
			return
		}
		next, reason := step(sc, img, at)
		img.State, img.StateChangedAt = next, at
		if reason != "" {
			img.State, img.StateReason = stateFailed, reason
		}
	}
}

// step is the state after the current one ends at time at, or a failure
// reason: leaving PENDING launches the build instance; leaving BUILDING ends
// the build and validate phases; leaving TESTING ends the test phase and
// leaving either of those starts distribution; leaving DISTRIBUTING ends it.
func step(sc *scope, img *world.ImageBuildVersion, at time.Time) (next, reason string) {
	switch img.State {
	case statePending:
		return stateBuilding, launch(sc, img)
	case stateBuilding:
		if reason := instanceAccess(sc, img); reason != "" {
			return "", reason
		}
		if reason := runPhases(sc, img, "BUILD", "build", "validate"); reason != "" {
			return "", reason
		}
		if testsEnabled(img) {
			return stateTesting, ""
		}
		return stateDistributing, distribute(sc, img, at)
	case stateTesting:
		if reason := runPhases(sc, img, "", "test"); reason != "" {
			return "", reason
		}
		return stateDistributing, distribute(sc, img, at)
	case stateDistributing:
		finishDistribution(sc, img, at)
		return stateAvailable, ""
	}
	return stateAvailable, ""
}

func testsEnabled(img *world.ImageBuildVersion) bool {
	t := img.ImageTestsConfiguration
	return t == nil || t.ImageTestsEnabled == nil || *t.ImageTestsEnabled
}

// launch checks what launching the build instance needs: the instance
// profile, the network, the parent image. It records the parent.
func launch(sc *scope, img *world.ImageBuildVersion) string {
	failed := func(format string, args ...any) string {
		return "Workflow Step 'LaunchBuildInstance' failed: " + fmt.Sprintf(format, args...)
	}
	infra := img.InfrastructureConfiguration
	if sc.w.IAM.InstanceProfiles[infra.InstanceProfileName] == nil {
		return failed("Value (%s) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name", infra.InstanceProfileName)
	}
	if problem := networkProblem(sc, infra.SubnetID, infra.SecurityGroupIDs); problem != "" {
		return failed("%s", problem)
	}
	parent, problem := resolveParent(sc, img.ImageRecipe.ParentImage)
	if parent == nil {
		return failed("The parent image '%s' could not be resolved: %s.", img.ImageRecipe.ParentImage, problem)
	}
	img.ParentImageID, img.OSBuild, img.OSVersion = parent.ImageID, parent.OSBuild, osVersion(parent)
	return ""
}

// The managed policies a build instance's role needs, and an action of each
// that an inline policy granting the same must name.
const (
	ssmCorePolicy      = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
	ssmCoreAction      = "ssm:UpdateInstanceInformation"
	imageBuilderPolicy = "arn:aws:iam::aws:policy/EC2InstanceProfileForImageBuilder"
	imageBuilderAction = "imagebuilder:GetComponent"
)

// instanceAccess checks what the build instance's role must allow once it
// runs: registering with Systems Manager, through which Image Builder drives
// it, and reading the components. Without either a real build fails in
// BUILDING, after a timeout or on access denied.
func instanceAccess(sc *scope, img *world.ImageBuildVersion) string {
	name := img.InfrastructureConfiguration.InstanceProfileName
	profile := sc.w.IAM.InstanceProfiles[name]
	if profile == nil {
		return fmt.Sprintf("Workflow Step 'LaunchBuildInstance' failed: the instance profile '%s' no longer exists.", name)
	}
	roles := instanceRoles(sc, img)
	if !grants(roles, ssmCorePolicy, ssmCoreAction) {
		return fmt.Sprintf("Workflow Step 'LaunchBuildInstance' failed: Timed out waiting for instance %s to register with AWS Systems Manager. "+
			"The role of instance profile '%s' must allow Systems Manager (AmazonSSMManagedInstanceCore).", world.ResourceID("i", img.ARN, nil), name)
	}
	if !grants(roles, imageBuilderPolicy, imageBuilderAction) {
		return fmt.Sprintf("Workflow Step 'ApplyBuildComponents' failed: AccessDeniedException: the role of instance profile '%s' "+
			"is not authorized to perform %s (EC2InstanceProfileForImageBuilder).", name, imageBuilderAction)
	}
	return ""
}

// instanceRoles are the roles of the build's instance profile that exist.
func instanceRoles(sc *scope, img *world.ImageBuildVersion) []*world.Role {
	profile := sc.w.IAM.InstanceProfiles[img.InfrastructureConfiguration.InstanceProfileName]
	if profile == nil {
		return nil
	}
	var roles []*world.Role
	for _, rn := range profile.RoleNames {
		if r := sc.w.IAM.Roles[rn]; r != nil {
			roles = append(roles, r)
		}
	}
	return roles
}

// grants reports a role with a managed policy attached, or an inline policy
// naming its key action or its service's wildcard (a rough reading of a
// policy, enough for the policies builds are given).
func grants(roles []*world.Role, policyARN, action string) bool {
	service, _, _ := strings.Cut(action, ":")
	for _, r := range roles {
		if slices.Contains(r.ManagedPolicyARNs, policyARN) {
			return true
		}
		for _, doc := range r.InlinePolicies {
			if strings.Contains(doc, `"`+action+`"`) || strings.Contains(doc, `"`+service+`:*"`) {
				return true
			}
		}
	}
	return false
}

// osVersion is Image Builder's operating system name of an AMI.
func osVersion(ami *world.Image) string {
	if ami.Platform != "windows" {
		return "Linux"
	}
	builds := map[string]string{"14393": "2016", "17763": "2019", "20348": "2022", "26100": "2025"}
	parts := strings.Split(ami.OSBuild, ".")
	if len(parts) == 4 && builds[parts[2]] != "" {
		return "Microsoft Windows Server " + builds[parts[2]]
	}
	return "Microsoft Windows Server"
}

// runPhases runs the given phases of the recipe's components as the sandbox
// can: it validates the documents (of components of componentType, or all
// when it is empty), checks their OS build assertions and simulates their
// container image pulls (pulls.go).
func runPhases(sc *scope, img *world.ImageBuildVersion, componentType string, phases ...string) string {
	workflowStep := "ApplyBuildComponents"
	if slices.Contains(phases, "test") {
		workflowStep = "ApplyTestComponents"
	}
	failed := func(arn, format string, args ...any) string {
		return fmt.Sprintf("Workflow Step '%s' failed: Document %s failed! %s", workflowStep, arn, fmt.Sprintf(format, args...))
	}
	for _, cc := range img.ImageRecipe.Components {
		c := findComponent(sc, cc.ComponentARN)
		if c == nil {
			return fmt.Sprintf("Workflow Step '%s' failed: The component '%s' does not exist.", workflowStep, cc.ComponentARN)
		}
		doc, _ := parseDocument(c.Data)
		if componentType == "" || c.Type == componentType {
			if problems := awstoe.Check([]byte(c.Data)); len(problems) > 0 {
				return failed(c.ARN, "Document validation failed: %s", doc.describeProblem(problems[0]))
			}
		}
		for _, a := range doc.assertions() {
			if !slices.Contains(phases, a.Phase) {
				continue
			}
			if img.OSBuild == "" {
				return failed(c.ARN, "Step '%s' of phase '%s' failed: the instance's OS build could not be read, expected %s.",
					a.Step, a.Phase, a.Expected)
			}
			if img.OSBuild != a.Expected {
				return failed(c.ARN, "Step '%s' of phase '%s' failed: the instance's OS build is %s, expected %s.",
					a.Step, a.Phase, img.OSBuild, a.Expected)
			}
		}
		if problem := simulatePulls(sc, img, doc, phases); problem != "" {
			return failed(c.ARN, "%s", problem)
		}
	}
	return ""
}
