package ec2

import (
	"context"
	"slices"
	"strings"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

// DescribeFastLaunchImages' page limits.
const (
	minFastLaunchResults = 0
	maxFastLaunchResults = 200
)

var fastLaunchFilterNames = []string{"resource-type", "owner-id", "state"}

type describeFastLaunchImagesResult struct {
	Images    fastLaunchSet `xml:"fastLaunchImageSet"`
	NextToken string        `xml:"nextToken,omitempty"`
}

// fastLaunchSet is a struct so that an empty result is still sent.
type fastLaunchSet struct {
	Items []fastLaunchResult `xml:"item"`
}

// describeFastLaunchImages lists the caller's account's Fast Launch images
// in the region, settled to now, sorted by image ID.
func (s *service) describeFastLaunchImages(ctx context.Context, req *protocol.Request) (any, error) {
	ids := protocol.List(req, "ImageId")
	for _, id := range ids {
		if !amiIDPattern().MatchString(id) {
			return nil, protocol.Errorf("InvalidAMIID.Malformed", `Invalid id: "%s" (expecting "ami-...")`, id)
		}
	}
	filters := protocol.Filters(req)
	if err := checkFilters(filters, func(n string) bool { return slices.Contains(fastLaunchFilterNames, n) }); err != nil {
		return nil, err
	}
	page, err := parsePageRequest(req, minFastLaunchResults, maxFastLaunchResults)
	if err != nil {
		return nil, err
	}
	var out describeFastLaunchImagesResult
	err = s.store.View(func(w *world.World) error {
		r, err := regionOf(w, req)
		if err != nil {
			return err
		}
		account := w.CallerAccount(req.AccessKey)
		for _, id := range ids {
			if img := r.Images[id]; img == nil || !visible(img, account) {
				return protocol.Errorf("InvalidAMIID.NotFound", "The image id '[%s]' does not exist", id)
			}
		}
		now := s.now().UTC()
		var all []*world.FastLaunch
		for _, img := range r.Images {
			fl := settle(img.FastLaunch[account], now, s.fastLaunchPace)
			if fl == nil || !visible(img, account) || len(ids) > 0 && !slices.Contains(ids, img.ImageID) {
				continue
			}
			if matchAll(filters, func(name string) []string { return fastLaunchValues(fl, name) }) {
				all = append(all, fl)
			}
		}
		slices.SortFunc(all, func(a, b *world.FastLaunch) int { return strings.Compare(a.ImageID, b.ImageID) })
		items, next := pageOf(all, func(fl *world.FastLaunch) string { return fl.ImageID }, page)
		out.Images.Items = []fastLaunchResult{}
		for _, fl := range items {
			out.Images.Items = append(out.Images.Items, toFastLaunch(fl))
		}
		out.NextToken = next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func fastLaunchValues(fl *world.FastLaunch, name string) []string {
	switch name {
	case "resource-type":
		return one(fl.ResourceType)
	case "owner-id":
		return one(fl.OwnerID)
	case "state":
		return one(fl.State)
	}
	return nil
}
