// Package ec2 is the sandbox's EC2 (EC2 query protocol): the AMIs of the
// seeded world and the regions it spans.
package ec2

import (
	"net/http"
	"time"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/state"
	"github.com/winami/winami/sandbox/world"
)

// service carries the operations' dependencies.
type service struct {
	store          *state.Store
	now            func() time.Time
	fastLaunchPace time.Duration
	copyPace       time.Duration
	// replies recycles the buffers of DescribeInstances' replies.
	replies protocol.BufferPool
}

// New returns the EC2 service over the store.
func New(store *state.Store, now func() time.Time, opts ...Option) *protocol.Service {
	s := &service{store: store, now: now, fastLaunchPace: DefaultFastLaunchPace, copyPace: DefaultCopyPace}
	for _, o := range opts {
		o(s)
	}
	svc := &protocol.Service{
		Name:           "ec2",
		Protocol:       protocol.EC2Query,
		APIVersion:     "2016-11-15",
		XMLNamespace:   "http://ec2.amazonaws.com/doc/2016-11-15/",
		ThrottleCode:   "RequestLimitExceeded",
		ThrottleStatus: http.StatusServiceUnavailable,
		InternalCode:   "InternalError",
		InternalStatus: http.StatusInternalServerError,
		Operations: map[string]protocol.Handler{
			"DescribeImages":                 s.describeImages,
			"DeregisterImage":                s.deregisterImage,
			"DeleteSnapshot":                 s.deleteSnapshot,
			"DescribeRegions":                s.describeRegions,
			"DescribeVpcs":                   s.describeVpcs,
			"DescribeSubnets":                s.describeSubnets,
			"DescribeSecurityGroups":         s.describeSecurityGroups,
			"DescribeLaunchTemplates":        s.describeLaunchTemplates,
			"DescribeLaunchTemplateVersions": s.describeLaunchTemplateVersions,
			"CreateLaunchTemplateVersion":    s.createLaunchTemplateVersion,
			"ModifyLaunchTemplate":           s.modifyLaunchTemplate,
			"DescribeAvailabilityZones":      s.describeAvailabilityZones,
			"DescribeInstanceTypeOfferings":  s.describeInstanceTypeOfferings,
			"EnableFastLaunch":               s.enableFastLaunch,
			"DisableFastLaunch":              s.disableFastLaunch,
			"DescribeFastLaunchImages":       s.describeFastLaunchImages,
			"DescribeImageAttribute":         s.describeImageAttribute,
			"DescribeInstances":              s.describeInstances,
			"CopyImage":                      s.copyImage,
			"EnableImageDeprecation":         s.enableImageDeprecation,
			"DisableImageDeprecation":        s.disableImageDeprecation,
			"DisableImage":                   s.disableImage,
			"EnableImage":                    s.enableImage,
		},
	}
	for name, h := range svc.Operations {
		svc.Operations[name] = s.withDryRun(name, h)
	}
	return svc
}

// regionOf is the request's region of the world. A region the sandbox does
// not model is answered as EC2 answers one the account has not enabled.
func regionOf(w *world.World, req *protocol.Request) (*world.Region, error) {
	r := w.Region(req.Region)
	if r == nil {
		return nil, protocol.StatusError(http.StatusUnauthorized, "AuthFailure",
			"AWS was not able to validate the provided access credentials")
	}
	return r, nil
}

// boolParam reads an optional query boolean.
func boolParam(req *protocol.Request, name string) (bool, error) {
	switch v := req.Params.Get(name); v {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	default:
		return false, protocol.Errorf("InvalidParameterValue", "Value (%s) for parameter %s is invalid. Expected: 'true' or 'false'.", v, name)
	}
}
