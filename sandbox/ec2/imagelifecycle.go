package ec2

import (
	"context"
	"net/http"
	"time"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

// Limits on EnableImageDeprecation's DeprecateAt: at most 10 years ahead,
// and for a public AMI at most 2 years after its creation.
const (
	maxDeprecationAhead  = 10 * 365 * 24 * time.Hour
	maxPublicDeprecation = 2 * 365 * 24 * time.Hour
)

type returnResult struct {
	Return bool `xml:"return"`
}

// imageIDParam is the request's ImageId, present and well formed.
func imageIDParam(req *protocol.Request) (string, error) {
	id := req.Params.Get("ImageId")
	return id, checkImageID(id)
}

// ownImage finds one of the caller's AMIs in the request's region: an AMI
// the caller cannot see is not found, one it sees but does not own
// (Amazon's public AMIs, a partner's shared one) is refused.
func ownImage(w *world.World, req *protocol.Request, id string) (*world.Region, *world.Image, error) {
	r, err := regionOf(w, req)
	if err != nil {
		return nil, nil, err
	}
	account := w.CallerAccount(req.AccessKey)
	img := r.Images[id]
	if img == nil || !visible(img, account) {
		return nil, nil, protocol.Errorf("InvalidAMIID.NotFound", "The image id '[%s]' does not exist", id)
	}
	if img.OwnerID != account {
		return nil, nil, protocol.StatusError(http.StatusForbidden, "AuthFailure", "Not authorized for image:%s", id)
	}
	return r, img, nil
}

// changeOwnImage runs change on one of the caller's AMIs, named by the
// request's ImageId.
func (s *service) changeOwnImage(ctx context.Context, req *protocol.Request, change func(img *world.Image, now time.Time) error) (any, error) {
	id, err := imageIDParam(req)
	if err != nil {
		return nil, err
	}
	now := s.now()
	err = s.update(ctx, func(w *world.World) error {
		_, img, err := ownImage(w, req, id)
		if err != nil {
			return err
		}
		return change(img, now)
	})
	if err != nil {
		return nil, err
	}
	return &returnResult{Return: true}, nil
}

// enableImageDeprecation sets when the AMI is deprecated: DeprecateAt to
// the nearest minute, in the future, within EC2's limits.
func (s *service) enableImageDeprecation(ctx context.Context, req *protocol.Request) (any, error) {
	raw := req.Params.Get("DeprecateAt")
	if raw == "" && req.Params.Get("ImageId") != "" {
		return nil, protocol.Errorf("MissingParameter", "The request must contain the parameter DeprecateAt")
	}
	var at time.Time
	if raw != "" {
		var err error
		if at, err = time.Parse(time.RFC3339Nano, raw); err != nil {
			return nil, protocol.Errorf("InvalidParameterValue", "Value (%s) for parameter DeprecateAt is invalid. Expected format: YYYY-MM-DDTHH:MM:SSZ.", raw)
		}
		at = at.UTC().Round(time.Minute)
	}
	return s.changeOwnImage(ctx, req, func(img *world.Image, now time.Time) error {
		switch {
		case !at.After(now):
			return protocol.Errorf("InvalidParameterValue", "The deprecation time %s is in the past. Specify a time in the future.", timestamp(at))
		case img.Public && at.After(img.CreationDate.Add(maxPublicDeprecation)):
			return protocol.Errorf("InvalidParameterValue", "The deprecation time of a public AMI can be at most 2 years after its creation date (%s).", timestamp(img.CreationDate))
		case at.After(now.Add(maxDeprecationAhead)):
			return protocol.Errorf("InvalidParameterValue", "The deprecation time can be at most 10 years from now.")
		}
		img.DeprecationTime = &at
		return nil
	})
}

// disableImageDeprecation cancels the AMI's deprecation, past or planned.
func (s *service) disableImageDeprecation(ctx context.Context, req *protocol.Request) (any, error) {
	return s.changeOwnImage(ctx, req, func(img *world.Image, _ time.Time) error {
		img.DeprecationTime = nil
		return nil
	})
}

// disableImage makes the AMI unlaunchable: state disabled, and every launch
// permission gone (a public AMI becomes private), as EC2 does. Disabling a
// disabled AMI changes nothing.
func (s *service) disableImage(ctx context.Context, req *protocol.Request) (any, error) {
	return s.changeOwnImage(ctx, req, func(img *world.Image, now time.Time) error {
		switch img.StateAt(now) {
		case "disabled":
			return nil
		case "available":
		default:
			return unavailable(img, now)
		}
		img.State, img.AvailableAt = "disabled", nil
		img.Public = false
		img.LaunchPermissions, img.LaunchPermissionOrganizations, img.LaunchPermissionOUs = nil, nil, nil
		return nil
	})
}

// enableImage makes a disabled AMI available again. The launch permissions
// it lost stay lost, as in EC2. Enabling an available AMI changes nothing.
func (s *service) enableImage(ctx context.Context, req *protocol.Request) (any, error) {
	return s.changeOwnImage(ctx, req, func(img *world.Image, now time.Time) error {
		switch img.StateAt(now) {
		case "available":
			return nil
		case "disabled":
			img.State = "available"
			return nil
		}
		return unavailable(img, now)
	})
}

// unavailable is EC2's error for an AMI in a state that forbids the call
// (pending, failed).
func unavailable(img *world.Image, now time.Time) error {
	return protocol.Errorf("InvalidAMIID.Unavailable", "The image id '[%s]' is not available (state: %s)", img.ImageID, img.StateAt(now))
}
