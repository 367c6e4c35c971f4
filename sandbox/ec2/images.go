package ec2

import (
	"context"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

// DescribeImages' page limits.
const (
	minImageResults = 5
	maxImageResults = 1000
)

var amiIDPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^ami-([0-9a-f]{8}|[0-9a-f]{17})$`) })

type describeImagesResult struct {
	Images    imagesSet `xml:"imagesSet"`
	NextToken string    `xml:"nextToken,omitempty"`
}

// imagesSet is a struct, not a bare slice, so that an empty result is still
// <imagesSet/>, as EC2 sends it.
type imagesSet struct {
	Items []imageItem `xml:"item"`
}

type imageItem struct {
	ImageID            string    `xml:"imageId"`
	ImageLocation      string    `xml:"imageLocation"`
	ImageState         string    `xml:"imageState"`
	ImageOwnerID       string    `xml:"imageOwnerId"`
	CreationDate       string    `xml:"creationDate"`
	IsPublic           bool      `xml:"isPublic"`
	Architecture       string    `xml:"architecture"`
	ImageType          string    `xml:"imageType"`
	Platform           string    `xml:"platform,omitempty"`
	PlatformDetails    string    `xml:"platformDetails"`
	UsageOperation     string    `xml:"usageOperation"`
	ImageOwnerAlias    string    `xml:"imageOwnerAlias,omitempty"`
	Name               string    `xml:"name"`
	Description        string    `xml:"description,omitempty"`
	RootDeviceType     string    `xml:"rootDeviceType"`
	RootDeviceName     string    `xml:"rootDeviceName"`
	BlockDeviceMapping []bdmItem `xml:"blockDeviceMapping>item"`
	VirtualizationType string    `xml:"virtualizationType"`
	TagSet             []tagItem `xml:"tagSet>item,omitempty"`
	Hypervisor         string    `xml:"hypervisor"`
	EnaSupport         bool      `xml:"enaSupport"`
	BootMode           string    `xml:"bootMode,omitempty"`
	ImdsSupport        string    `xml:"imdsSupport,omitempty"`
	DeprecationTime    string    `xml:"deprecationTime,omitempty"`
	SourceImageID      string    `xml:"sourceImageId,omitempty"`
	SourceImageRegion  string    `xml:"sourceImageRegion,omitempty"`
}

type bdmItem struct {
	DeviceName string  `xml:"deviceName"`
	EBS        ebsItem `xml:"ebs"`
}

type ebsItem struct {
	DeleteOnTermination bool   `xml:"deleteOnTermination"`
	SnapshotID          string `xml:"snapshotId"`
	VolumeSize          int32  `xml:"volumeSize"`
	VolumeType          string `xml:"volumeType"`
	Encrypted           bool   `xml:"encrypted"`
}

type tagItem struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

// imagesQuery is what a DescribeImages request selects besides IDs and
// filters, and the one moment the call reads the clock at: every image's
// state, deprecation and reply are of that moment.
type imagesQuery struct {
	owners            []string
	executableBy      []string
	includeDeprecated bool
	includeDisabled   bool
	now               time.Time
}

func (s *service) describeImages(ctx context.Context, req *protocol.Request) (any, error) {
	q := imagesQuery{owners: protocol.List(req, "Owner"), executableBy: protocol.List(req, "ExecutableBy"), now: s.now()}
	return describe(s.store, req, &describeSpec[*world.Image]{
		before: func(req *protocol.Request) (err error) {
			if q.includeDeprecated, err = boolParam(req, "IncludeDeprecated"); err != nil {
				return err
			}
			q.includeDisabled, err = boolParam(req, "IncludeDisabled")
			return err
		},
		idParam:   "ImageId",
		malformed: amiIDShape(),
		after: func(*protocol.Request) error {
			for _, users := range [][]string{q.owners, q.executableBy} {
				for _, u := range users {
					if !validUser(u) {
						return protocol.Errorf("InvalidUserID.Malformed", "User ID '%s' is invalid", u)
					}
				}
			}
			return nil
		},
		filterNames: imageFilterNames,
		tagFilters:  true,
		paging: &paging{
			min: minImageResults, max: maxImageResults, exclusiveWith: "imageIdsSet",
			validKey: amiIDPattern().Match,
			badToken: func() error {
				return protocol.Errorf("InvalidPaginationToken", "The specified pagination token is not valid or is expired.")
			},
		},
		exists: func(sc describeScope, id string) bool {
			img := sc.r.Images[id]
			return img != nil && visible(img, sc.caller())
		},
		notFound: func(missing []string) error {
			if len(missing) == 1 {
				return protocol.Errorf("InvalidAMIID.NotFound", "The image id '[%s]' does not exist", missing[0])
			}
			return protocol.Errorf("InvalidAMIID.NotFound", "The image ids '[%s]' do not exist", strings.Join(missing, ", "))
		},
		list: func(sc describeScope, ids []string) ([]*world.Image, error) {
			return selectImages(sc.caller(), sc.r, ids, q), nil
		},
		values: func(sc describeScope, img *world.Image, name string) []string {
			if name == "state" {
				return one(img.StateAt(q.now))
			}
			return imageValues(img, name, img.OwnerID == sc.caller())
		},
		key: func(img *world.Image) string { return img.ImageID },
		render: func(sc describeScope, page []*world.Image, next string) any {
			account := sc.caller()
			return describeImagesResult{Images: imagesSet{Items: itemsOf(page, func(img *world.Image) imageItem {
				return toItem(img, img.OwnerID == account, q.now)
			})}, NextToken: next}
		},
	})
}

// amiIDShape is the check of an AMI ID's shape.
func amiIDShape() func(id string) error {
	return idShape(amiIDPattern, "InvalidAMIID.Malformed", "ami-")
}

// validUser accepts an account ID or one of the names EC2 takes for owners
// and launch permissions.
func validUser(u string) bool {
	switch u {
	case "self", "amazon", "aws-marketplace", "aws-backup-vault", "all":
		return true
	}
	if len(u) != 12 {
		return false
	}
	_, err := strconv.ParseUint(u, 10, 64)
	return err == nil
}

// selectImages returns the images of the region the query selects,
// filters aside.
func selectImages(account string, r *world.Region, ids []string, q imagesQuery) []*world.Image {
	var out []*world.Image
	for _, img := range r.Images {
		owned := img.OwnerID == account
		switch {
		case !visible(img, account),
			len(ids) > 0 && !slices.Contains(ids, img.ImageID),
			len(q.owners) > 0 && !slices.ContainsFunc(q.owners, func(o string) bool { return ownedBy(img, o, account) }),
			len(q.executableBy) > 0 && !slices.ContainsFunc(q.executableBy, func(u string) bool { return executableBy(img, u, account) }),
			// Deprecated images stay out of listings unless asked for, by
			// flag or by ID, or unless they are the caller's own.
			img.DeprecationTime != nil && !img.DeprecationTime.After(q.now) && !q.includeDeprecated && !owned && len(ids) == 0,
			img.State == "disabled" && !q.includeDisabled:
			continue
		}
		out = append(out, img)
	}
	return out
}

// visible: public images, the account's own, and those shared with it.
func visible(img *world.Image, account string) bool {
	if img.State == "deregistered" {
		return false
	}
	return img.Public || img.OwnerID == account || slices.Contains(img.LaunchPermissions, account)
}

// ownedBy applies one Owner value: an account ID, self, or an owner alias.
func ownedBy(img *world.Image, owner, account string) bool {
	switch owner {
	case "self":
		return img.OwnerID == account
	case "amazon", "aws-marketplace", "aws-backup-vault":
		return img.OwnerAlias == owner
	}
	return img.OwnerID == owner
}

// executableBy applies one ExecutableBy value: all is the public images;
// self or the caller's ID the images shared with the caller; another account
// the caller's images shared with that account.
func executableBy(img *world.Image, user, account string) bool {
	switch {
	case user == "all":
		return img.Public
	case user == "self" || user == account:
		return slices.Contains(img.LaunchPermissions, account)
	default:
		return img.OwnerID == account && slices.Contains(img.LaunchPermissions, user)
	}
}

func toItem(img *world.Image, owned bool, now time.Time) imageItem {
	it := imageItem{
		ImageID:            img.ImageID,
		ImageLocation:      imageLocation(img),
		ImageState:         img.StateAt(now),
		ImageOwnerID:       img.OwnerID,
		CreationDate:       timestamp(img.CreationDate),
		IsPublic:           img.Public,
		Architecture:       img.Architecture,
		ImageType:          img.ImageType,
		Platform:           img.Platform,
		PlatformDetails:    img.PlatformDetails,
		UsageOperation:     img.UsageOperation,
		ImageOwnerAlias:    img.OwnerAlias,
		Name:               img.Name,
		Description:        img.Description,
		RootDeviceType:     img.RootDeviceType,
		RootDeviceName:     img.RootDeviceName,
		VirtualizationType: img.VirtualizationType,
		Hypervisor:         img.Hypervisor,
		EnaSupport:         img.EnaSupport,
		BootMode:           img.BootMode,
		ImdsSupport:        img.ImdsSupport,
		SourceImageID:      img.SourceImageID,
		SourceImageRegion:  img.SourceRegion,
	}
	for _, bd := range img.BlockDevices {
		it.BlockDeviceMapping = append(it.BlockDeviceMapping, bdmItem{DeviceName: bd.DeviceName, EBS: ebsItem{
			DeleteOnTermination: bd.DeleteOnTermination,
			SnapshotID:          bd.SnapshotID,
			VolumeSize:          bd.VolumeSize,
			VolumeType:          bd.VolumeType,
			Encrypted:           bd.Encrypted,
		}})
	}
	if owned {
		for _, k := range slices.Sorted(maps.Keys(img.Tags)) {
			it.TagSet = append(it.TagSet, tagItem{Key: k, Value: img.Tags[k]})
		}
	}
	if img.DeprecationTime != nil {
		it.DeprecationTime = timestamp(*img.DeprecationTime)
	}
	return it
}
