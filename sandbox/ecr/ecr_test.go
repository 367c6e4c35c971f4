package ecr_test

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/winami/winami/sandbox/ecr"
	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/registry"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/state"
	"github.com/winami/winami/sandbox/world"
)

const seed = 3

type fixture struct {
	client   *awsecr.Client
	reg      *registry.Registry
	regTrans http.RoundTripper
	now      *time.Time
}

// rewrite sends registry requests to the test registry, keeping the Host.
type rewrite struct{ target *url.URL }

func (rt rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	out := req.Clone(req.Context())
	out.Host = req.URL.Host
	out.URL.Scheme, out.URL.Host = rt.target.Scheme, rt.target.Host
	return http.DefaultTransport.RoundTrip(out)
}

func setup(t *testing.T) *fixture {
	t.Helper()
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	f := &fixture{now: &now}
	clock := func() time.Time { return *f.now }
	store, err := state.Open("", func() *world.World { return world.Seed(seed) })
	if err != nil {
		t.Fatal(err)
	}
	f.reg, err = registry.New(registry.Options{Seed: seed, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(protocol.NewMux(protocol.MuxOptions{}, ecr.New(store, clock, f.reg)))
	t.Cleanup(api.Close)
	regSrv := httptest.NewServer(f.reg.Handler())
	t.Cleanup(regSrv.Close)
	u, _ := url.Parse(regSrv.URL)
	f.regTrans = rewrite{target: u}
	f.client = awsecr.NewFromConfig(sandboxtest.Config(api.URL, 2))
	return f
}

func (f *fixture) pull(t *testing.T, ref string, auth authn.Authenticator) error {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	_, err = remote.Get(r, remote.WithTransport(f.regTrans), remote.WithAuth(auth), remote.WithContext(t.Context()))
	return err
}

func TestAuthorizationTokenPullsFromECR(t *testing.T) {
	f := setup(t)
	out, err := f.client.GetAuthorizationToken(t.Context(), &awsecr.GetAuthorizationTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.AuthorizationData) != 1 {
		t.Fatalf("got %d authorization data, want 1", len(out.AuthorizationData))
	}
	d := out.AuthorizationData[0]
	if got, want := aws.ToString(d.ProxyEndpoint), "https://111122223333.dkr.ecr.us-east-1.amazonaws.com"; got != want {
		t.Errorf("proxyEndpoint %s, want %s", got, want)
	}
	if got, want := aws.ToTime(d.ExpiresAt), f.now.Add(12*time.Hour); !got.Equal(want) {
		t.Errorf("expiresAt %s, want %s", got, want)
	}
	raw, err := base64.StdEncoding.DecodeString(aws.ToString(d.AuthorizationToken))
	if err != nil {
		t.Fatal(err)
	}
	user, pass, ok := strings.Cut(string(raw), ":")
	if !ok || user != "AWS" || pass == "" {
		t.Fatalf("token decodes to %q, want AWS:<password>", raw)
	}
	auth := &authn.Basic{Username: user, Password: pass}
	ref := "111122223333.dkr.ecr.us-east-1.amazonaws.com/payments/api:1.4.2"
	if err := f.pull(t, ref, authn.Anonymous); !isStatus(err, http.StatusUnauthorized) {
		t.Fatalf("anonymous pull: %v, want 401", err)
	}
	if err := f.pull(t, ref, auth); err != nil {
		t.Fatalf("pull with the token: %v", err)
	}
	// A us-east-1 token does not open eu-west-1 registries.
	if err := f.pull(t, "444455556666.dkr.ecr.eu-west-1.amazonaws.com/platform/base:2025.10", auth); !isStatus(err, http.StatusUnauthorized) {
		t.Fatalf("pull in another region: %v, want 401", err)
	}
	*f.now = f.now.Add(12*time.Hour + time.Second)
	if err := f.pull(t, ref, auth); !isStatus(err, http.StatusUnauthorized) {
		t.Fatalf("pull with an expired token: %v, want 401", err)
	}
}

func TestCrossAccountToken(t *testing.T) {
	f := setup(t)
	//lint:ignore SA1019 registryIds is deprecated but still accepted; the sandbox must answer it as ECR does.
	out, err := f.client.GetAuthorizationToken(t.Context(), &awsecr.GetAuthorizationTokenInput{RegistryIds: []string{"444455556666"}},
		func(o *awsecr.Options) { o.Region = "eu-west-1" })
	if err != nil {
		t.Fatal(err)
	}
	d := out.AuthorizationData[0]
	if got, want := aws.ToString(d.ProxyEndpoint), "https://444455556666.dkr.ecr.eu-west-1.amazonaws.com"; got != want {
		t.Errorf("proxyEndpoint %s, want %s", got, want)
	}
	raw, _ := base64.StdEncoding.DecodeString(aws.ToString(d.AuthorizationToken))
	_, pass, _ := strings.Cut(string(raw), ":")
	if err := f.pull(t, "444455556666.dkr.ecr.eu-west-1.amazonaws.com/platform/base:2025.10", &authn.Basic{Username: "AWS", Password: pass}); err != nil {
		t.Fatalf("cross-account pull: %v", err)
	}
}

func isStatus(err error, status int) bool {
	var terr *transport.Error
	return errors.As(err, &terr) && terr.StatusCode == status
}

func errorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

func TestDescribeRepositories(t *testing.T) {
	f := setup(t)
	ctx := t.Context()
	out, err := f.client.DescribeRepositories(ctx, &awsecr.DescribeRepositoriesInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range out.Repositories {
		names = append(names, aws.ToString(r.RepositoryName))
		if aws.ToString(r.RegistryId) != world.DefaultAccountID {
			t.Errorf("%s: registryId %s", aws.ToString(r.RepositoryName), aws.ToString(r.RegistryId))
		}
	}
	if strings.Join(names, ",") != "payments/api,payments/worker" {
		t.Fatalf("repositories %v", names)
	}
	r := out.Repositories[0]
	if got, want := aws.ToString(r.RepositoryUri), "111122223333.dkr.ecr.us-east-1.amazonaws.com/payments/api"; got != want {
		t.Errorf("uri %s, want %s", got, want)
	}
	if got, want := aws.ToString(r.RepositoryArn), "arn:aws:ecr:us-east-1:111122223333:repository/payments/api"; got != want {
		t.Errorf("arn %s, want %s", got, want)
	}

	// Paging, one at a time, through the SDK's paginator.
	p := awsecr.NewDescribeRepositoriesPaginator(f.client, &awsecr.DescribeRepositoriesInput{MaxResults: aws.Int32(1)})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Repositories) != 1 {
			t.Fatalf("page of %d", len(page.Repositories))
		}
		pages++
	}
	if pages != 2 {
		t.Errorf("%d pages, want 2", pages)
	}

	_, err = f.client.DescribeRepositories(ctx, &awsecr.DescribeRepositoriesInput{RepositoryNames: []string{"payments/api", "nope"}})
	var notFound *types.RepositoryNotFoundException
	if !errors.As(err, &notFound) || !strings.Contains(notFound.ErrorMessage(), "The repository with name 'nope' does not exist in the registry with id '111122223333'") {
		t.Fatalf("got %v, want RepositoryNotFoundException", err)
	}
	for _, n := range []int32{0, 1001} {
		_, err = f.client.DescribeRepositories(ctx, &awsecr.DescribeRepositoriesInput{MaxResults: aws.Int32(n)})
		if errorCode(err) != "ValidationException" {
			t.Errorf("maxResults %d: %v, want ValidationException", n, err)
		}
	}
	_, err = f.client.DescribeRepositories(ctx, &awsecr.DescribeRepositoriesInput{NextToken: aws.String("garbage")})
	if errorCode(err) != "InvalidParameterException" {
		t.Errorf("bad nextToken: %v", err)
	}

	// The partner's repository is visible to the sandbox account in eu-west-1.
	out, err = f.client.DescribeRepositories(ctx, &awsecr.DescribeRepositoriesInput{RegistryId: aws.String(world.PartnerAccountID)},
		func(o *awsecr.Options) { o.Region = "eu-west-1" })
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Repositories) != 1 || aws.ToString(out.Repositories[0].RepositoryName) != "platform/base" {
		t.Fatalf("partner repositories %+v", out.Repositories)
	}
}

func TestDescribeImages(t *testing.T) {
	f := setup(t)
	ctx := t.Context()
	var api registry.Image
	for _, img := range f.reg.Images() {
		if img.Repository == "payments/api" {
			api = img
		}
	}
	out, err := f.client.DescribeImages(ctx, &awsecr.DescribeImagesInput{RepositoryName: aws.String("payments/api")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.ImageDetails) != 2 {
		t.Fatalf("%d image details, want the index and its manifest", len(out.ImageDetails))
	}
	idx, child := out.ImageDetails[0], out.ImageDetails[1]
	if aws.ToString(idx.ImageDigest) != api.Digest || strings.Join(idx.ImageTags, ",") != "1.4.2" ||
		aws.ToString(idx.ImageManifestMediaType) != "application/vnd.oci.image.index.v1+json" {
		t.Errorf("index detail %+v", idx)
	}
	if idx.ImagePushedAt == nil || !idx.ImagePushedAt.Equal(api.PushedAt) {
		t.Errorf("pushed at %v, want %v", idx.ImagePushedAt, api.PushedAt)
	}
	m := api.Manifests[0]
	if aws.ToString(child.ImageDigest) != m.Digest || len(child.ImageTags) != 0 ||
		aws.ToInt64(child.ImageSizeInBytes) != m.Size || aws.ToString(child.ArtifactMediaType) != "application/vnd.oci.image.config.v1+json" {
		t.Errorf("manifest detail %+v, want %+v", child, m)
	}

	tagged, err := f.client.DescribeImages(ctx, &awsecr.DescribeImagesInput{RepositoryName: aws.String("payments/api"),
		Filter: &types.DescribeImagesFilter{TagStatus: types.TagStatusTagged}})
	if err != nil || len(tagged.ImageDetails) != 1 {
		t.Fatalf("tagged: %v %v", tagged, err)
	}
	byID, err := f.client.DescribeImages(ctx, &awsecr.DescribeImagesInput{RepositoryName: aws.String("payments/worker"),
		ImageIds: []types.ImageIdentifier{{ImageTag: aws.String("2.0.0")}}})
	if err != nil || len(byID.ImageDetails) != 1 || aws.ToString(byID.ImageDetails[0].ImageManifestMediaType) != "application/vnd.docker.distribution.manifest.v2+json" {
		t.Fatalf("by tag: %+v %v", byID, err)
	}

	_, err = f.client.DescribeImages(ctx, &awsecr.DescribeImagesInput{RepositoryName: aws.String("payments/api"),
		ImageIds: []types.ImageIdentifier{{ImageTag: aws.String("9.9.9")}}})
	var notFound *types.ImageNotFoundException
	want := "The image with imageId {imageDigest:null, imageTag:'9.9.9'} does not exist within the repository with name 'payments/api' in the registry with id '111122223333'"
	if !errors.As(err, &notFound) || notFound.ErrorMessage() != want {
		t.Fatalf("got %v, want ImageNotFoundException %q", err, want)
	}
	_, err = f.client.DescribeImages(ctx, &awsecr.DescribeImagesInput{RepositoryName: aws.String("payments/nope")})
	var repoNotFound *types.RepositoryNotFoundException
	if !errors.As(err, &repoNotFound) {
		t.Fatalf("got %v, want RepositoryNotFoundException", err)
	}

	p := awsecr.NewDescribeImagesPaginator(f.client, &awsecr.DescribeImagesInput{RepositoryName: aws.String("payments/api"), MaxResults: aws.Int32(1)})
	n := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(page.ImageDetails)
	}
	if n != 2 {
		t.Errorf("paged through %d images, want 2", n)
	}
}
