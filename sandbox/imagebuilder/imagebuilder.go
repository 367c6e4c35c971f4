// Package imagebuilder is the sandbox's EC2 Image Builder (REST JSON):
// components, image recipes, infrastructure and distribution configurations,
// image pipelines, images and their builds, with AWS's semantics: semantic
// versions and immutability, clientToken idempotency, ARNs in AWS's format,
// and AWS's error codes.
//
// # Builds
//
// StartImagePipelineExecution creates an image build version in state
// PENDING that then passes BUILDING, TESTING (skipped when the pipeline's
// image tests are off) and DISTRIBUTING to AVAILABLE, one state per pace
// (DefaultPace, or WithPace). Builds advance lazily: whenever an Image
// Builder call reads images or pipelines, every build due to change is
// advanced, as of the injected clock, to where it would be, so the outcome
// does not depend on how often anyone polls. (EC2 and SSM reads do not
// advance builds: an AMI appears once an Image Builder read has seen its
// build reach DISTRIBUTING.)
//
// The workflow operations (ListWorkflowExecutions, ListWorkflowStepExecutions
// and their Get forms) show a build as AWS's default workflows run it:
// build-image while it is BUILDING, test-image while it is TESTING, their
// steps sharing the state's pace (workflows.go).
//
// A build checks what AWS would, when AWS would, and otherwise ends FAILED
// with a reason naming the workflow step, in Image Builder's manner:
//   - leaving PENDING (launching the build instance): the infrastructure's
//     instance profile exists in IAM, its subnet and security groups exist
//     (the groups in the subnet's VPC), and the recipe's parent resolves (AMI
//     ID, Image Builder image ARN, or "ssm:<parameter>" holding an AMI ID);
//   - leaving BUILDING: the profile's role allows Systems Manager
//     (AmazonSSMManagedInstanceCore) and reading components
//     (EC2InstanceProfileForImageBuilder), every build component's document
//     passes the sandbox's own AWSTOE rules (sandbox/awstoe), and the OS build assertions of the build and
//     validate phases hold;
//   - leaving TESTING: test components' documents are valid and the test
//     phase's assertions hold;
//   - starting distribution: every region is enabled, no AMI of the account
//     there has the new AMI's name, Fast Launch targets a Windows AMI and its
//     launch template exists. Distribution then registers the AMIs (and a copy
//     per target account), writes the SSM parameters and starts Fast Launch
//     (enabling); leaving DISTRIBUTING enables it.
//
// # OS build assertions
//
// A component step asserts the Windows build of the instance when it is
// named AssertOSBuild, its action is ExecutePowerShell, and one of its
// commands assigns the expected build (10.0.N.R, in single or double quotes)
// to $expected, whoever wrote the document (docs/sandbox.md has an example,
// which steps_internal_test.go reads). The sandbox cannot run PowerShell: it
// compares the expected build with the OS build of the parent AMI
// (world.Image.OSBuild) and fails the build, naming both, when they differ:
// in BUILDING for a build or validate phase step, in TESTING for a test
// phase one.
//
// # Container image pulls
//
// With WithImages, a build simulates the pulls of components that cache
// container images, whoever wrote them: a step whose action is
// ExecutePowerShell and whose commands contain "images pull" (ctr) or
// "docker pull" pulls every single-quoted PowerShell literal of its commands
// (a doubled quote read as one; comments, double-quoted strings and here-strings
// skipped) that is a fully qualified image reference: a registry host with a
// '.' or ':' or localhost, a repository, and a tag or digest
// (go-containerregistry's strict parsing). Other literals are ignored. A
// pull fails the step, in its phase, as containerd would: the host unknown
// to the registry (no such host), the repository or manifest missing (not
// found), an ECR image the instance role may not pull (401: neither
// AmazonEC2ContainerRegistryReadOnly nor ...PullOnly, nor an inline policy
// naming ecr:BatchGetImage or ecr:*), another account's ECR repository whose
// policy does not let the account pull (403), or no windows/amd64 entry whose
// os.version the instance's build runs (containerd's rule: a host before
// 20348 runs its own build only, a later host any build from 20348 to its
// own). The build and validate phases' pulls are recorded on the build
// (world.ImageBuildVersion.CachedImages). Without WithImages, or when the
// parent's OS build is unknown, nothing is pulled.
package imagebuilder

import (
	"net/http"
	"time"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/state"
	"github.com/winami/winami/sandbox/world"
)

// DefaultPace is how long each state of a build lasts unless WithPace says
// otherwise: a build takes about four paces from PENDING to AVAILABLE.
const DefaultPace = 2 * time.Second

// Option configures the service.
type Option func(*service)

// WithPace sets how long each state of a build lasts. Zero makes a build run
// to its end on the first read after it starts.
func WithPace(d time.Duration) Option {
	return func(s *service) { s.pace = max(d, 0) }
}

// WithImages lets builds simulate the container image pulls of their
// components against a registry (see "Container image pulls" above).
// Without it, pulls are not simulated.
func WithImages(images ImageResolver) Option {
	return func(s *service) { s.images = images }
}

// service carries the operations' dependencies.
type service struct {
	store  *state.Store
	now    func() time.Time
	pace   time.Duration
	images ImageResolver // nil: pulls are not simulated
}

// routes are Image Builder's REST paths, as the SDK's serializers write them.
var routes = []protocol.Route{
	{Method: http.MethodPut, Pattern: "/CreateComponent", Operation: "CreateComponent"},
	{Method: http.MethodGet, Pattern: "/GetComponent", Operation: "GetComponent"},
	{Method: http.MethodPost, Pattern: "/ListComponents", Operation: "ListComponents"},
	{Method: http.MethodPost, Pattern: "/ListComponentBuildVersions", Operation: "ListComponentBuildVersions"},
	{Method: http.MethodDelete, Pattern: "/DeleteComponent", Operation: "DeleteComponent"},

	{Method: http.MethodPut, Pattern: "/CreateImageRecipe", Operation: "CreateImageRecipe"},
	{Method: http.MethodGet, Pattern: "/GetImageRecipe", Operation: "GetImageRecipe"},
	{Method: http.MethodPost, Pattern: "/ListImageRecipes", Operation: "ListImageRecipes"},
	{Method: http.MethodDelete, Pattern: "/DeleteImageRecipe", Operation: "DeleteImageRecipe"},

	{Method: http.MethodPut, Pattern: "/CreateInfrastructureConfiguration", Operation: "CreateInfrastructureConfiguration"},
	{Method: http.MethodGet, Pattern: "/GetInfrastructureConfiguration", Operation: "GetInfrastructureConfiguration"},
	{Method: http.MethodPost, Pattern: "/ListInfrastructureConfigurations", Operation: "ListInfrastructureConfigurations"},
	{Method: http.MethodPut, Pattern: "/UpdateInfrastructureConfiguration", Operation: "UpdateInfrastructureConfiguration"},
	{Method: http.MethodDelete, Pattern: "/DeleteInfrastructureConfiguration", Operation: "DeleteInfrastructureConfiguration"},

	{Method: http.MethodPut, Pattern: "/CreateDistributionConfiguration", Operation: "CreateDistributionConfiguration"},
	{Method: http.MethodGet, Pattern: "/GetDistributionConfiguration", Operation: "GetDistributionConfiguration"},
	{Method: http.MethodPost, Pattern: "/ListDistributionConfigurations", Operation: "ListDistributionConfigurations"},
	{Method: http.MethodPut, Pattern: "/UpdateDistributionConfiguration", Operation: "UpdateDistributionConfiguration"},
	{Method: http.MethodDelete, Pattern: "/DeleteDistributionConfiguration", Operation: "DeleteDistributionConfiguration"},

	{Method: http.MethodPut, Pattern: "/CreateImagePipeline", Operation: "CreateImagePipeline"},
	{Method: http.MethodGet, Pattern: "/GetImagePipeline", Operation: "GetImagePipeline"},
	{Method: http.MethodPost, Pattern: "/ListImagePipelines", Operation: "ListImagePipelines"},
	{Method: http.MethodPut, Pattern: "/UpdateImagePipeline", Operation: "UpdateImagePipeline"},
	{Method: http.MethodDelete, Pattern: "/DeleteImagePipeline", Operation: "DeleteImagePipeline"},

	{Method: http.MethodPut, Pattern: "/StartImagePipelineExecution", Operation: "StartImagePipelineExecution"},
	{Method: http.MethodPut, Pattern: "/CancelImageCreation", Operation: "CancelImageCreation"},
	{Method: http.MethodGet, Pattern: "/GetImage", Operation: "GetImage"},
	{Method: http.MethodPost, Pattern: "/ListImages", Operation: "ListImages"},
	{Method: http.MethodPost, Pattern: "/ListImageBuildVersions", Operation: "ListImageBuildVersions"},
	{Method: http.MethodPost, Pattern: "/ListImagePipelineImages", Operation: "ListImagePipelineImages"},
	{Method: http.MethodDelete, Pattern: "/DeleteImage", Operation: "DeleteImage"},

	{Method: http.MethodPost, Pattern: "/ListWorkflowExecutions", Operation: "ListWorkflowExecutions"},
	{Method: http.MethodGet, Pattern: "/GetWorkflowExecution", Operation: "GetWorkflowExecution"},
	{Method: http.MethodPost, Pattern: "/ListWorkflowStepExecutions", Operation: "ListWorkflowStepExecutions"},
	{Method: http.MethodGet, Pattern: "/GetWorkflowStepExecution", Operation: "GetWorkflowStepExecution"},

	// The SDK escapes the ARN's slashes; {+} also takes an unescaped one.
	{Method: http.MethodGet, Pattern: "/tags/{resourceArn+}", Operation: "ListTagsForResource"},
	{Method: http.MethodPost, Pattern: "/tags/{resourceArn+}", Operation: "TagResource"},
	{Method: http.MethodDelete, Pattern: "/tags/{resourceArn+}", Operation: "UntagResource"},
}

// New returns the Image Builder service over the store.
func New(store *state.Store, now func() time.Time, opts ...Option) *protocol.Service {
	s := &service{store: store, now: now, pace: DefaultPace}
	for _, o := range opts {
		o(s)
	}
	return &protocol.Service{
		Name:           "imagebuilder",
		Protocol:       protocol.RESTJSON,
		Routes:         routes,
		ThrottleCode:   "CallRateLimitExceededException",
		ThrottleStatus: http.StatusTooManyRequests,
		InternalCode:   "ServiceException",
		InternalStatus: http.StatusInternalServerError,
		Operations: map[string]protocol.Handler{
			"CreateComponent":            s.createComponent,
			"GetComponent":               s.getComponent,
			"ListComponents":             s.listComponents,
			"ListComponentBuildVersions": s.listComponentBuildVersions,
			"DeleteComponent":            s.deleteComponent,

			"CreateImageRecipe": s.createImageRecipe,
			"GetImageRecipe":    s.getImageRecipe,
			"ListImageRecipes":  s.listImageRecipes,
			"DeleteImageRecipe": s.deleteImageRecipe,

			"CreateInfrastructureConfiguration": s.createInfrastructureConfiguration,
			"GetInfrastructureConfiguration":    s.getInfrastructureConfiguration,
			"ListInfrastructureConfigurations":  s.listInfrastructureConfigurations,
			"UpdateInfrastructureConfiguration": s.updateInfrastructureConfiguration,
			"DeleteInfrastructureConfiguration": s.deleteInfrastructureConfiguration,

			"CreateDistributionConfiguration": s.createDistributionConfiguration,
			"GetDistributionConfiguration":    s.getDistributionConfiguration,
			"ListDistributionConfigurations":  s.listDistributionConfigurations,
			"UpdateDistributionConfiguration": s.updateDistributionConfiguration,
			"DeleteDistributionConfiguration": s.deleteDistributionConfiguration,

			"CreateImagePipeline": s.createImagePipeline,
			"GetImagePipeline":    s.getImagePipeline,
			"ListImagePipelines":  s.listImagePipelines,
			"UpdateImagePipeline": s.updateImagePipeline,
			"DeleteImagePipeline": s.deleteImagePipeline,

			"StartImagePipelineExecution": s.startImagePipelineExecution,
			"CancelImageCreation":         s.cancelImageCreation,
			"GetImage":                    s.getImage,
			"ListImages":                  s.listImages,
			"ListImageBuildVersions":      s.listImageBuildVersions,
			"ListImagePipelineImages":     s.listImagePipelineImages,
			"DeleteImage":                 s.deleteImage,

			"ListWorkflowExecutions":     s.listWorkflowExecutions,
			"GetWorkflowExecution":       s.getWorkflowExecution,
			"ListWorkflowStepExecutions": s.listWorkflowStepExecutions,
			"GetWorkflowStepExecution":   s.getWorkflowStepExecution,

			"ListTagsForResource": s.listTagsForResource,
			"TagResource":         s.tagResource,
			"UntagResource":       s.untagResource,
		},
	}
}

// scope is what a handler works on: the world, the request's region and its
// Image Builder state.
type scope struct {
	w   *world.World
	r   *world.Region
	ib  *world.ImageBuilder
	req *protocol.Request
	// images resolves the container images builds pull; nil when the
	// service has none.
	images ImageResolver
	// now is the service's clock when the call began: an AMI's state
	// depends on it (a CopyImage copy is pending until its time comes).
	now time.Time
}

// account is the caller's account ID.
func (sc *scope) account() string { return sc.w.AccountID }

// view runs fn under a read lock. A region without Image Builder state (a
// world saved before it had any) reads as empty.
func (s *service) view(req *protocol.Request, fn func(sc *scope) error) error {
	return s.store.View(func(w *world.World) error {
		r, err := region(w, req)
		if err != nil {
			return err
		}
		ib := r.ImageBuilder
		if ib == nil {
			ib = &world.ImageBuilder{}
		}
		return fn(&scope{w: w, r: r, ib: ib, req: req, images: s.images, now: s.now()})
	})
}

// update runs fn under the write lock, with every map of the region's Image
// Builder state made.
func (s *service) update(req *protocol.Request, fn func(sc *scope) error) error {
	return s.store.Update(func(w *world.World) error {
		r, err := region(w, req)
		if err != nil {
			return err
		}
		return fn(&scope{w: w, r: r, ib: ensure(r), req: req, images: s.images, now: s.now()})
	})
}

// ensure makes a region's Image Builder state and its maps.
func ensure(r *world.Region) *world.ImageBuilder {
	if r.ImageBuilder == nil {
		r.ImageBuilder = &world.ImageBuilder{}
	}
	ib := r.ImageBuilder
	if ib.Components == nil {
		ib.Components = map[string]*world.Component{}
	}
	if ib.ImageRecipes == nil {
		ib.ImageRecipes = map[string]*world.ImageRecipe{}
	}
	if ib.InfrastructureConfigurations == nil {
		ib.InfrastructureConfigurations = map[string]*world.InfrastructureConfiguration{}
	}
	if ib.DistributionConfigurations == nil {
		ib.DistributionConfigurations = map[string]*world.DistributionConfiguration{}
	}
	if ib.ImagePipelines == nil {
		ib.ImagePipelines = map[string]*world.ImagePipeline{}
	}
	if ib.Images == nil {
		ib.Images = map[string]*world.ImageBuildVersion{}
	}
	if ib.ClientTokens == nil {
		ib.ClientTokens = map[string]*world.ClientTokenRecord{}
	}
	return ib
}

// region is the request's region of the world. A region the sandbox does not
// model is answered as AWS answers a region the account has not enabled.
func region(w *world.World, req *protocol.Request) (*world.Region, error) {
	r := w.Region(req.Region)
	if r == nil {
		return nil, protocol.StatusError(http.StatusForbidden, "UnrecognizedClientException",
			"The security token included in the request is invalid.")
	}
	return r, nil
}

// handle decodes a request body into In and runs fn on it.
func handle[In any](req *protocol.Request, fn func(in *In) (any, error)) (any, error) {
	var in In
	if err := protocol.DecodeJSON(req, &in); err != nil {
		return nil, err
	}
	return fn(&in)
}
