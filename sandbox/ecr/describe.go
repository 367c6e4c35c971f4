package ecr

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/registry"
)

// defaultMaxResults is the page size when a call names none.
const defaultMaxResults = 100

type wireRepository struct {
	RepositoryARN              string         `json:"repositoryArn"`
	RegistryID                 string         `json:"registryId"`
	RepositoryName             string         `json:"repositoryName"`
	RepositoryURI              string         `json:"repositoryUri"`
	CreatedAt                  float64        `json:"createdAt"`
	ImageTagMutability         string         `json:"imageTagMutability"`
	ImageScanningConfiguration map[string]any `json:"imageScanningConfiguration"`
	EncryptionConfiguration    map[string]any `json:"encryptionConfiguration"`
}

type describeRepositoriesInput struct {
	RegistryID      string   `json:"registryId"`
	RepositoryNames []string `json:"repositoryNames"`
	NextToken       *string  `json:"nextToken"`
	MaxResults      *int     `json:"maxResults"`
}

type describeRepositoriesOutput struct {
	Repositories []wireRepository `json:"repositories"`
	NextToken    string           `json:"nextToken,omitempty"`
}

// visible lists the repositories of a registry in a region that the caller
// may see: its own, and another account's whose policy lets it pull.
func (s *service) visible(caller, registryID, region string) []registry.Repository {
	var out []registry.Repository
	for _, r := range s.reg.Repositories() {
		if r.Account != registryID || r.Region != region {
			continue
		}
		if r.Account != caller && !slices.Contains(r.PullAccounts, caller) {
			continue
		}
		out = append(out, r)
	}
	return out
}

func repositoryNotFound(name, registryID string) *protocol.Error {
	return protocol.Errorf("RepositoryNotFoundException",
		"The repository with name '%s' does not exist in the registry with id '%s'", name, registryID)
}

func (s *service) registryID(req *protocol.Request, given string) (caller, id string, err error) {
	caller, err = s.caller(req)
	if err != nil {
		return "", "", err
	}
	if given == "" {
		return caller, caller, nil
	}
	if !registryIDPattern().MatchString(given) {
		return "", "", validationError(given, "registryId", "Member must satisfy regular expression pattern: [0-9]{12}")
	}
	return caller, given, nil
}

func (s *service) describeRepositories(ctx context.Context, req *protocol.Request) (any, error) {
	var in describeRepositoriesInput
	if err := protocol.DecodeJSON(req, &in); err != nil {
		return nil, err
	}
	caller, registryID, err := s.registryID(req, in.RegistryID)
	if err != nil {
		return nil, err
	}
	if len(in.RepositoryNames) > 100 {
		return nil, validationError("["+strings.Join(in.RepositoryNames, ", ")+"]", "repositoryNames", "Member must have length less than or equal to 100")
	}
	if len(in.RepositoryNames) > 0 && (in.MaxResults != nil || in.NextToken != nil) {
		return nil, protocol.Errorf("InvalidParameterException", "Invalid parameter at 'maxResults' failed to satisfy constraint: 'maxResults can not be used with repositoryNames'")
	}
	repos := s.visible(caller, registryID, req.Region)
	if len(in.RepositoryNames) > 0 {
		var picked []registry.Repository
		for _, name := range in.RepositoryNames {
			i := slices.IndexFunc(repos, func(r registry.Repository) bool { return r.Name == name })
			if i < 0 {
				return nil, repositoryNotFound(name, registryID)
			}
			picked = append(picked, repos[i])
		}
		repos = picked
	}
	start, end, next, err := page(len(repos), in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := describeRepositoriesOutput{Repositories: []wireRepository{}, NextToken: next}
	for _, r := range repos[start:end] {
		out.Repositories = append(out.Repositories, wireRepository{
			RepositoryARN:              "arn:aws:ecr:" + r.Region + ":" + r.Account + ":repository/" + r.Name,
			RegistryID:                 r.Account,
			RepositoryName:             r.Name,
			RepositoryURI:              r.Host + "/" + r.Name,
			CreatedAt:                  epochSeconds(r.CreatedAt),
			ImageTagMutability:         "MUTABLE",
			ImageScanningConfiguration: map[string]any{"scanOnPush": false},
			EncryptionConfiguration:    map[string]any{"encryptionType": "AES256"},
		})
	}
	return out, nil
}

// page checks maxResults and nextToken and returns the slice bounds of the
// page and the token of the next one.
func page(n int, maxResults *int, nextToken *string) (start, end int, next string, err error) {
	limit := defaultMaxResults
	if maxResults != nil {
		if *maxResults < 1 || *maxResults > 1000 {
			c := "Member must have value greater than or equal to 1"
			if *maxResults > 1000 {
				c = "Member must have value less than or equal to 1000"
			}
			return 0, 0, "", validationError(strconv.Itoa(*maxResults), "maxResults", c)
		}
		limit = *maxResults
	}
	if nextToken != nil {
		start, err = decodeToken(*nextToken, n)
		if err != nil {
			return 0, 0, "", err
		}
	}
	end = min(start+limit, n)
	if end < n {
		next = encodeToken(end)
	}
	return start, end, next, nil
}

const tokenMagic = "winami-ecr-page:"

func encodeToken(offset int) string {
	return base64.StdEncoding.EncodeToString([]byte(tokenMagic + strconv.Itoa(offset)))
}

func decodeToken(tok string, n int) (int, error) {
	invalid := protocol.Errorf("InvalidParameterException", "Invalid parameter at 'nextToken' failed to satisfy constraint: 'Invalid NextToken'")
	raw, err := base64.StdEncoding.DecodeString(tok)
	if err != nil {
		return 0, invalid
	}
	rest, ok := strings.CutPrefix(string(raw), tokenMagic)
	if !ok {
		return 0, invalid
	}
	off, err := strconv.Atoi(rest)
	if err != nil || off < 0 || off > n {
		return 0, invalid
	}
	return off, nil
}

type imageID struct {
	ImageTag    string `json:"imageTag,omitempty"`
	ImageDigest string `json:"imageDigest,omitempty"`
}

func (id imageID) String() string {
	q := func(s string) string {
		if s == "" {
			return "null"
		}
		return "'" + s + "'"
	}
	return fmt.Sprintf("{imageDigest:%s, imageTag:%s}", q(id.ImageDigest), q(id.ImageTag))
}

type describeImagesInput struct {
	RegistryID     string    `json:"registryId"`
	RepositoryName string    `json:"repositoryName"`
	ImageIDs       []imageID `json:"imageIds"`
	Filter         *struct {
		TagStatus   string `json:"tagStatus"`
		ImageStatus string `json:"imageStatus"`
	} `json:"filter"`
	NextToken  *string `json:"nextToken"`
	MaxResults *int    `json:"maxResults"`
}

type imageDetail struct {
	RegistryID             string   `json:"registryId"`
	RepositoryName         string   `json:"repositoryName"`
	ImageDigest            string   `json:"imageDigest"`
	ImageTags              []string `json:"imageTags,omitempty"`
	ImageSizeInBytes       *int64   `json:"imageSizeInBytes,omitempty"`
	ImagePushedAt          float64  `json:"imagePushedAt"`
	ImageManifestMediaType string   `json:"imageManifestMediaType"`
	ArtifactMediaType      string   `json:"artifactMediaType,omitempty"`
	ImageStatus            string   `json:"imageStatus"`
}

type describeImagesOutput struct {
	ImageDetails []imageDetail `json:"imageDetails"`
	NextToken    string        `json:"nextToken,omitempty"`
}

// details lists a repository's manifests as ECR does: each tagged manifest
// or index, and each manifest an index names, untagged unless tagged itself.
func details(repo registry.Repository, images []registry.Image) []imageDetail {
	var out []imageDetail
	byDigest := map[string]int{}
	add := func(d imageDetail, tag string) {
		if i, ok := byDigest[d.ImageDigest]; ok {
			if tag != "" {
				out[i].ImageTags = append(out[i].ImageTags, tag)
			}
			return
		}
		if tag != "" {
			d.ImageTags = []string{tag}
		}
		byDigest[d.ImageDigest] = len(out)
		out = append(out, d)
	}
	for _, img := range images {
		if img.Host != repo.Host || img.Repository != repo.Name {
			continue
		}
		pushed := epochSeconds(img.PushedAt)
		base := imageDetail{RegistryID: repo.Account, RepositoryName: repo.Name, ImagePushedAt: pushed, ImageStatus: "ACTIVE"}
		if img.Index {
			d := base
			d.ImageDigest, d.ImageManifestMediaType = img.Digest, img.MediaType
			add(d, img.Tag)
		}
		for _, m := range img.Manifests {
			d := base
			size := m.Size
			d.ImageDigest, d.ImageManifestMediaType, d.ArtifactMediaType, d.ImageSizeInBytes = m.Digest, m.MediaType, m.ConfigMediaType, &size
			tag := ""
			if !img.Index {
				tag = img.Tag
			}
			add(d, tag)
		}
	}
	return out
}

func (s *service) describeImages(ctx context.Context, req *protocol.Request) (any, error) {
	var in describeImagesInput
	if err := protocol.DecodeJSON(req, &in); err != nil {
		return nil, err
	}
	if in.RepositoryName == "" {
		return nil, validationError("null", "repositoryName", "Member must not be null")
	}
	caller, registryID, err := s.registryID(req, in.RegistryID)
	if err != nil {
		return nil, err
	}
	if len(in.ImageIDs) > 0 && (in.MaxResults != nil || in.NextToken != nil) {
		return nil, protocol.Errorf("InvalidParameterException", "Invalid parameter at 'maxResults' failed to satisfy constraint: 'maxResults can not be used with imageIds'")
	}
	repos := s.visible(caller, registryID, req.Region)
	i := slices.IndexFunc(repos, func(r registry.Repository) bool { return r.Name == in.RepositoryName })
	if i < 0 {
		return nil, repositoryNotFound(in.RepositoryName, registryID)
	}
	all := details(repos[i], s.reg.Images())
	var picked []imageDetail
	if len(in.ImageIDs) > 0 {
		for _, id := range in.ImageIDs {
			j := slices.IndexFunc(all, func(d imageDetail) bool {
				return (id.ImageDigest == "" || d.ImageDigest == id.ImageDigest) &&
					(id.ImageTag == "" || slices.Contains(d.ImageTags, id.ImageTag)) &&
					(id.ImageDigest != "" || id.ImageTag != "")
			})
			if j < 0 {
				return nil, protocol.Errorf("ImageNotFoundException",
					"The image with imageId %s does not exist within the repository with name '%s' in the registry with id '%s'",
					id, in.RepositoryName, registryID)
			}
			if !slices.ContainsFunc(picked, func(d imageDetail) bool { return d.ImageDigest == all[j].ImageDigest }) {
				picked = append(picked, all[j])
			}
		}
	} else {
		status := ""
		if in.Filter != nil {
			status = in.Filter.TagStatus
		}
		switch status {
		case "", "ANY":
			picked = all
		case "TAGGED", "UNTAGGED":
			for _, d := range all {
				if (len(d.ImageTags) > 0) == (status == "TAGGED") {
					picked = append(picked, d)
				}
			}
		default:
			return nil, validationError(status, "filter.tagStatus", "Member must satisfy enum value set: [TAGGED, UNTAGGED, ANY]")
		}
	}
	start, end, next, err := page(len(picked), in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := describeImagesOutput{ImageDetails: []imageDetail{}, NextToken: next}
	out.ImageDetails = append(out.ImageDetails, picked[start:end]...)
	return out, nil
}
