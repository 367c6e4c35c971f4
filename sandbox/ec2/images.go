package ec2

import (
	"context"
	"encoding/base64"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

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

// imagesQuery is a decoded DescribeImages request.
type imagesQuery struct {
	ids               []string
	owners            []string
	executableBy      []string
	filters           []protocol.Filter
	includeDeprecated bool
	includeDisabled   bool
	limit             int // 0: everything
	after             string
}

func (s *service) describeImages(ctx context.Context, req *protocol.Request) (any, error) {
	q, err := parseImagesQuery(req)
	if err != nil {
		return nil, err
	}
	var out describeImagesResult
	err = s.store.View(func(w *world.World) error {
		r, err := regionOf(w, req)
		if err != nil {
			return err
		}
		account := w.CallerAccount(req.AccessKey)
		matched, err := s.selectImages(account, r, q)
		if err != nil {
			return err
		}
		start := 0
		if q.after != "" {
			start, _ = slices.BinarySearchFunc(matched, q.after, func(img *world.Image, id string) int {
				return strings.Compare(img.ImageID, id)
			})
			if start < len(matched) && matched[start].ImageID == q.after {
				start++
			}
		}
		end := len(matched)
		if q.limit > 0 && start+q.limit < end {
			end = start + q.limit
			out.NextToken = base64.RawURLEncoding.EncodeToString([]byte(matched[end-1].ImageID))
		}
		out.Images.Items = []imageItem{}
		for _, img := range matched[start:end] {
			out.Images.Items = append(out.Images.Items, toItem(img, img.OwnerID == account))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func parseImagesQuery(req *protocol.Request) (imagesQuery, error) {
	q := imagesQuery{
		ids:          protocol.List(req, "ImageId"),
		owners:       protocol.List(req, "Owner"),
		executableBy: protocol.List(req, "ExecutableBy"),
		filters:      protocol.Filters(req),
	}
	var err error
	if q.includeDeprecated, err = boolParam(req, "IncludeDeprecated"); err != nil {
		return q, err
	}
	if q.includeDisabled, err = boolParam(req, "IncludeDisabled"); err != nil {
		return q, err
	}
	if v := req.Params.Get("MaxResults"); v != "" {
		if len(q.ids) > 0 {
			return q, protocol.Errorf("InvalidParameterCombination", "The parameter imageIdsSet cannot be used with the parameter maxResults")
		}
		n, err := maxResults(req, minImageResults, maxImageResults)
		if err != nil {
			return q, err
		}
		q.limit = n
	}
	if tok := req.Params.Get("NextToken"); tok != "" {
		id, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || !amiIDPattern().Match(id) {
			return q, protocol.Errorf("InvalidPaginationToken", "The specified pagination token is not valid or is expired.")
		}
		q.after = string(id)
	}
	for _, id := range q.ids {
		if !amiIDPattern().MatchString(id) {
			return q, protocol.Errorf("InvalidAMIID.Malformed", `Invalid id: "%s" (expecting "ami-...")`, id)
		}
	}
	for _, users := range [][]string{q.owners, q.executableBy} {
		for _, u := range users {
			if !validUser(u) {
				return q, protocol.Errorf("InvalidUserID.Malformed", "User ID '%s' is invalid", u)
			}
		}
	}
	return q, checkFilters(q.filters, validImageFilter)
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

// selectImages returns, sorted by ID, the images of the region the query
// selects, or InvalidAMIID.NotFound when an asked-for ID is not among the
// images the account can see.
func (s *service) selectImages(account string, r *world.Region, q imagesQuery) ([]*world.Image, error) {
	now := s.now()
	var missing []string
	for _, id := range q.ids {
		if img := r.Images[id]; img == nil || !visible(img, account) {
			missing = append(missing, id)
		}
	}
	if len(missing) == 1 {
		return nil, protocol.Errorf("InvalidAMIID.NotFound", "The image id '[%s]' does not exist", missing[0])
	}
	if len(missing) > 1 {
		return nil, protocol.Errorf("InvalidAMIID.NotFound", "The image ids '[%s]' do not exist", strings.Join(missing, ", "))
	}
	var out []*world.Image
	for _, img := range r.Images {
		owned := img.OwnerID == account
		switch {
		case !visible(img, account),
			len(q.ids) > 0 && !slices.Contains(q.ids, img.ImageID),
			len(q.owners) > 0 && !slices.ContainsFunc(q.owners, func(o string) bool { return ownedBy(img, o, account) }),
			len(q.executableBy) > 0 && !slices.ContainsFunc(q.executableBy, func(u string) bool { return executableBy(img, u, account) }),
			// Deprecated images stay out of listings unless asked for, by
			// flag or by ID, or unless they are the caller's own.
			img.DeprecationTime != nil && !img.DeprecationTime.After(now) && !q.includeDeprecated && !owned && len(q.ids) == 0,
			img.State == "disabled" && !q.includeDisabled,
			!matchAll(q.filters, func(name string) []string { return imageValues(img, name, owned) }):
			continue
		}
		out = append(out, img)
	}
	slices.SortFunc(out, func(a, b *world.Image) int { return strings.Compare(a.ImageID, b.ImageID) })
	return out, nil
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

func toItem(img *world.Image, owned bool) imageItem {
	it := imageItem{
		ImageID:            img.ImageID,
		ImageLocation:      imageLocation(img),
		ImageState:         img.State,
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
