package iam

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

type getInstanceProfileResult struct {
	InstanceProfile instanceProfileXML `xml:"InstanceProfile"`
}

func (s *service) getInstanceProfile(ctx context.Context, req *protocol.Request) (any, error) {
	name, err := requiredName(req, "InstanceProfileName", 128)
	if err != nil {
		return nil, err
	}
	var out getInstanceProfileResult
	err = s.store.View(func(w *world.World) error {
		a := callerOf(w, req)
		p := a.iam.InstanceProfiles[name]
		if p == nil {
			return protocol.StatusError(http.StatusNotFound, "NoSuchEntity", "Instance Profile %s cannot be found.", name)
		}
		out.InstanceProfile = toProfile(partition(req), a, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type listInstanceProfilesResult struct {
	InstanceProfiles profilesXML `xml:"InstanceProfiles"`
	IsTruncated      bool        `xml:"IsTruncated"`
	Marker           string      `xml:"Marker,omitempty"`
}

// profilesXML is a struct so that an empty list is still sent.
type profilesXML struct {
	Members []instanceProfileXML `xml:"member"`
}

func (s *service) listInstanceProfiles(ctx context.Context, req *protocol.Request) (any, error) {
	prefix, err := pathPrefix(req)
	if err != nil {
		return nil, err
	}
	return s.listProfiles(req, func(w *world.World, p *world.InstanceProfile) bool {
		return strings.HasPrefix(p.Path, prefix)
	}, nil)
}

func (s *service) listInstanceProfilesForRole(ctx context.Context, req *protocol.Request) (any, error) {
	role, err := requiredName(req, "RoleName", 64)
	if err != nil {
		return nil, err
	}
	return s.listProfiles(req, func(w *world.World, p *world.InstanceProfile) bool {
		return slices.Contains(p.RoleNames, role)
	}, func(w *world.World) error {
		if callerOf(w, req).iam.Roles[role] == nil {
			return noSuchRole(role)
		}
		return nil
	})
}

// listProfiles pages through the profiles keep selects, sorted by name,
// after check (when set) passes.
func (s *service) listProfiles(req *protocol.Request, keep func(*world.World, *world.InstanceProfile) bool, check func(*world.World) error) (any, error) {
	p, err := parsePaging(req)
	if err != nil {
		return nil, err
	}
	var out listInstanceProfilesResult
	err = s.store.View(func(w *world.World) error {
		a := callerOf(w, req)
		if check != nil {
			if err := check(w); err != nil {
				return err
			}
		}
		var all []*world.InstanceProfile
		for _, prof := range a.iam.InstanceProfiles {
			if keep(w, prof) {
				all = append(all, prof)
			}
		}
		slices.SortFunc(all, func(a, b *world.InstanceProfile) int { return strings.Compare(a.Name, b.Name) })
		items, marker := page(all, func(p *world.InstanceProfile) string { return p.Name }, p)
		for _, prof := range items {
			out.InstanceProfiles.Members = append(out.InstanceProfiles.Members, toProfile(partition(req), a, prof))
		}
		out.IsTruncated, out.Marker = marker != "", marker
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
