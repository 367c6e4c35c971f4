package ec2

import (
	"context"
	"net/http"
	"slices"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

// imageAttributes are the names DescribeImageAttribute accepts; the sandbox
// answers every one, empty where the world keeps nothing for it.
var imageAttributes = []string{
	"description", "kernel", "ramdisk", "launchPermission", "productCodes", "blockDeviceMapping",
	"sriovNetSupport", "bootMode", "tpmSupport", "uefiData", "lastLaunchedTime", "imdsSupport", "deregistrationProtection",
}

type imageAttributeResult struct {
	ImageID            string              `xml:"imageId"`
	LaunchPermission   *launchPermissions  `xml:"launchPermission,omitempty"`
	Description        *attributeValue     `xml:"description,omitempty"`
	BlockDeviceMapping *blockDeviceMapping `xml:"blockDeviceMapping,omitempty"`
	BootMode           *attributeValue     `xml:"bootMode,omitempty"`
	ImdsSupport        *attributeValue     `xml:"imdsSupport,omitempty"`
}

type launchPermissions struct {
	Items []launchPermissionItem `xml:"item"`
}

type blockDeviceMapping struct {
	Items []bdmItem `xml:"item"`
}

type launchPermissionItem struct {
	Group                 string `xml:"group,omitempty"`
	UserID                string `xml:"userId,omitempty"`
	OrganizationArn       string `xml:"organizationArn,omitempty"`
	OrganizationalUnitArn string `xml:"organizationalUnitArn,omitempty"`
}

type attributeValue struct {
	Value string `xml:"value,omitempty"`
}

// describeImageAttribute answers one attribute of an AMI. Who an image is
// shared with is its owner's business: other accounts get AuthFailure, as
// from EC2.
func (s *service) describeImageAttribute(ctx context.Context, req *protocol.Request) (any, error) {
	id, attr := req.Params.Get("ImageId"), req.Params.Get("Attribute")
	if err := checkImageID(id); err != nil {
		return nil, err
	}
	switch {
	case attr == "":
		return nil, protocol.Errorf("MissingParameter", "The request must contain the parameter Attribute")
	case !slices.Contains(imageAttributes, attr):
		return nil, protocol.Errorf("InvalidParameterValue", "Value (%s) for parameter attribute is invalid. Unknown attribute.", attr)
	}
	out := imageAttributeResult{ImageID: id}
	err := s.store.View(func(w *world.World) error {
		r, err := regionOf(w, req)
		if err != nil {
			return err
		}
		account := w.CallerAccount(req.AccessKey)
		img := r.Images[id]
		if img == nil || !visible(img, account) {
			return protocol.Errorf("InvalidAMIID.NotFound", "The image id '[%s]' does not exist", id)
		}
		if attr == "launchPermission" && img.OwnerID != account {
			return protocol.StatusError(http.StatusForbidden, "AuthFailure", "Not authorized for image:%s", id)
		}
		switch attr {
		case "launchPermission":
			out.LaunchPermission = &launchPermissions{Items: launchPermissionItems(img)}
		case "description":
			out.Description = &attributeValue{Value: img.Description}
		case "blockDeviceMapping":
			out.BlockDeviceMapping = &blockDeviceMapping{Items: toItem(img, false, s.now()).BlockDeviceMapping}
		case "bootMode":
			out.BootMode = &attributeValue{Value: img.BootMode}
		case "imdsSupport":
			out.ImdsSupport = &attributeValue{Value: img.ImdsSupport}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func launchPermissionItems(img *world.Image) []launchPermissionItem {
	var out []launchPermissionItem
	if img.Public {
		out = append(out, launchPermissionItem{Group: "all"})
	}
	for _, u := range img.LaunchPermissions {
		out = append(out, launchPermissionItem{UserID: u})
	}
	for _, o := range img.LaunchPermissionOrganizations {
		out = append(out, launchPermissionItem{OrganizationArn: o})
	}
	for _, ou := range img.LaunchPermissionOUs {
		out = append(out, launchPermissionItem{OrganizationalUnitArn: ou})
	}
	return out
}
