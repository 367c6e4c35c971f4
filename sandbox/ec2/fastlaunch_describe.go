package ec2

import (
	"context"
	"slices"

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
	return describe(s.store, req, &describeSpec[*world.FastLaunch]{
		idParam:     "ImageId",
		malformed:   amiIDShape(),
		filterNames: fastLaunchFilterNames,
		paging:      &paging{min: minFastLaunchResults, max: maxFastLaunchResults},
		exists: func(sc describeScope, id string) bool {
			img := sc.r.Images[id]
			return img != nil && visible(img, sc.caller())
		},
		notFound: firstMissing("InvalidAMIID.NotFound", "The image id '[%s]' does not exist"),
		list: func(sc describeScope, ids []string) ([]*world.FastLaunch, error) {
			account, now := sc.caller(), s.now().UTC()
			var out []*world.FastLaunch
			for _, img := range sc.r.Images {
				fl := settle(img.FastLaunch[account], now, s.fastLaunchPace)
				if fl != nil && visible(img, account) && (len(ids) == 0 || slices.Contains(ids, img.ImageID)) {
					out = append(out, fl)
				}
			}
			return out, nil
		},
		values: func(_ describeScope, fl *world.FastLaunch, name string) []string { return fastLaunchValues(fl, name) },
		key:    func(fl *world.FastLaunch) string { return fl.ImageID },
		render: func(_ describeScope, page []*world.FastLaunch, next string) any {
			return describeFastLaunchImagesResult{Images: fastLaunchSet{Items: itemsOf(page, toFastLaunch)}, NextToken: next}
		},
	})
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
