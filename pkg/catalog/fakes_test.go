package catalog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/eksami"
)

// fakeSSM imitates the SSM calls winami makes, records them, and rejects
// what AWS rejects (more than 10 names, MaxResults over 10).
type fakeSSM struct {
	awsapi.SSMAPI // methods the fake does not serve panic: the test then fails loudly
	params        map[string]string
	// err, when set, fails every call of the named operation.
	err map[string]error
	// enter, when set, is called at the start of each GetParameters.
	enter func()

	mu          sync.Mutex
	calls       []ssmCall
	inflight    atomic.Int32
	maxInflight atomic.Int32
}

type ssmCall struct {
	Op    string
	Names []string
	In    *ssm.GetParametersByPathInput
}

func newFakeSSM(params map[string]string) *fakeSSM {
	return &fakeSSM{params: params, err: map[string]error{}}
}

func (f *fakeSSM) record(c ssmCall) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, c)
}

func (f *fakeSSM) callsOf(op string) []ssmCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []ssmCall
	for _, c := range f.calls {
		if c.Op == op {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeSSM) GetParameter(_ context.Context, in *ssm.GetParameterInput, _ ...func(*ssm.Options)) (*ssm.GetParameterOutput, error) {
	f.record(ssmCall{Op: "GetParameter", Names: []string{aws.ToString(in.Name)}})
	if err := f.err["GetParameter"]; err != nil {
		return nil, err
	}
	v, ok := f.params[aws.ToString(in.Name)]
	if !ok {
		return nil, &smithy.GenericAPIError{Code: "ParameterNotFound"}
	}
	return &ssm.GetParameterOutput{Parameter: &ssmtypes.Parameter{Name: in.Name, Value: aws.String(v)}}, nil
}

func (f *fakeSSM) GetParameters(_ context.Context, in *ssm.GetParametersInput, _ ...func(*ssm.Options)) (*ssm.GetParametersOutput, error) {
	n := f.inflight.Add(1)
	defer f.inflight.Add(-1)
	for {
		m := f.maxInflight.Load()
		if n <= m || f.maxInflight.CompareAndSwap(m, n) {
			break
		}
	}
	f.record(ssmCall{Op: "GetParameters", Names: slices.Clone(in.Names)})
	if f.enter != nil {
		f.enter()
	}
	if err := f.err["GetParameters"]; err != nil {
		return nil, err
	}
	if len(in.Names) == 0 || len(in.Names) > 10 {
		return nil, &smithy.GenericAPIError{Code: "ValidationException", Message: fmt.Sprintf("%d names", len(in.Names))}
	}
	out := &ssm.GetParametersOutput{}
	// AWS does not promise the order; answer in reverse to catch code relying on it.
	for _, name := range slices.Backward(in.Names) {
		if v, ok := f.params[name]; ok {
			out.Parameters = append(out.Parameters, ssmtypes.Parameter{Name: aws.String(name), Value: aws.String(v)})
		} else {
			out.InvalidParameters = append(out.InvalidParameters, name)
		}
	}
	return out, nil
}

func (f *fakeSSM) PutParameter(context.Context, *ssm.PutParameterInput, ...func(*ssm.Options)) (*ssm.PutParameterOutput, error) {
	return nil, errors.New("the catalog never writes parameters")
}

func (f *fakeSSM) GetParametersByPath(_ context.Context, in *ssm.GetParametersByPathInput, _ ...func(*ssm.Options)) (*ssm.GetParametersByPathOutput, error) {
	cp := *in
	f.record(ssmCall{Op: "GetParametersByPath", In: &cp})
	if err := f.err["GetParametersByPath"]; err != nil {
		return nil, err
	}
	size := int(aws.ToInt32(in.MaxResults))
	if size == 0 {
		size = 10
	}
	if size > 10 {
		return nil, &smithy.GenericAPIError{Code: "ValidationException", Message: "MaxResults over 10"}
	}
	prefix := strings.TrimSuffix(aws.ToString(in.Path), "/") + "/"
	var names []string
	for name := range f.params {
		rest, ok := strings.CutPrefix(name, prefix)
		if ok && (aws.ToBool(in.Recursive) || !strings.Contains(rest, "/")) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	start := 0
	if in.NextToken != nil {
		start, _ = strconv.Atoi(*in.NextToken)
	}
	end := min(start+size, len(names))
	out := &ssm.GetParametersByPathOutput{}
	for _, name := range names[start:end] {
		out.Parameters = append(out.Parameters, ssmtypes.Parameter{Name: aws.String(name), Value: aws.String(f.params[name])})
	}
	if end < len(names) {
		out.NextToken = aws.String(strconv.Itoa(end))
	}
	return out, nil
}

// fakeEC2 imitates DescribeImages (owner and name filters with wildcards,
// paging) and DescribeRegions, and records the calls.
type fakeEC2 struct {
	// The calls the fake does not implement panic: a test reaching one
	// fails loudly.
	awsapi.EC2API
	images  []ec2types.Image
	regions []string
	err     map[string]error

	mu    sync.Mutex
	calls []*ec2.DescribeImagesInput
	other []string
}

func newFakeEC2(images ...ec2types.Image) *fakeEC2 {
	return &fakeEC2{images: images, err: map[string]error{}}
}

func (f *fakeEC2) describeCalls() []*ec2.DescribeImagesInput {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

func (f *fakeEC2) DescribeImages(_ context.Context, in *ec2.DescribeImagesInput, _ ...func(*ec2.Options)) (*ec2.DescribeImagesOutput, error) {
	cp := *in
	f.mu.Lock()
	f.calls = append(f.calls, &cp)
	f.mu.Unlock()
	if err := f.err["DescribeImages"]; err != nil {
		return nil, err
	}
	if in.MaxResults != nil && len(in.ImageIds) > 0 {
		return nil, &smithy.GenericAPIError{Code: "InvalidParameterCombination"}
	}
	var matched []ec2types.Image
	for _, img := range f.images {
		if len(in.Owners) > 0 && !slices.Contains(in.Owners, aws.ToString(img.OwnerId)) {
			continue
		}
		ok := true
		for _, flt := range in.Filters {
			if aws.ToString(flt.Name) != "name" {
				return nil, &smithy.GenericAPIError{Code: "InvalidParameterValue", Message: "fake supports only name filters"}
			}
			ok = ok && slices.ContainsFunc(flt.Values, func(p string) bool { return glob(p, aws.ToString(img.Name)) })
		}
		if ok {
			matched = append(matched, img)
		}
	}
	size := len(matched)
	if in.MaxResults != nil {
		size = int(*in.MaxResults)
	}
	start := 0
	if in.NextToken != nil {
		start, _ = strconv.Atoi(*in.NextToken)
	}
	end := min(start+size, len(matched))
	out := &ec2.DescribeImagesOutput{Images: matched[start:end]}
	if end < len(matched) {
		out.NextToken = aws.String(strconv.Itoa(end))
	}
	return out, nil
}

// DeregisterImage is never called by the catalog; a call is a test failure.
func (f *fakeEC2) DeregisterImage(_ context.Context, in *ec2.DeregisterImageInput, _ ...func(*ec2.Options)) (*ec2.DeregisterImageOutput, error) {
	return nil, fmt.Errorf("catalog must not deregister images (asked for %s)", aws.ToString(in.ImageId))
}

func (f *fakeEC2) DescribeRegions(_ context.Context, _ *ec2.DescribeRegionsInput, _ ...func(*ec2.Options)) (*ec2.DescribeRegionsOutput, error) {
	f.mu.Lock()
	f.other = append(f.other, "DescribeRegions")
	f.mu.Unlock()
	if err := f.err["DescribeRegions"]; err != nil {
		return nil, err
	}
	out := &ec2.DescribeRegionsOutput{}
	for _, r := range f.regions {
		out.Regions = append(out.Regions, ec2types.Region{RegionName: aws.String(r)})
	}
	return out, nil
}

// glob matches EC2 filter wildcards: '*' any run of characters, '?' one.
func glob(pattern, s string) bool {
	if pattern == "" {
		return s == ""
	}
	switch pattern[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if glob(pattern[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		return s != "" && glob(pattern[1:], s[1:])
	default:
		return s != "" && s[0] == pattern[0] && glob(pattern[1:], s[1:])
	}
}

// world is a set of per-region fakes.
type world struct {
	mu  sync.Mutex
	ssm map[string]*fakeSSM
	ec2 map[string]*fakeEC2
}

func newWorld() *world { return &world{ssm: map[string]*fakeSSM{}, ec2: map[string]*fakeEC2{}} }

func (w *world) region(name string) (*fakeSSM, *fakeEC2) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ssm[name] == nil {
		w.ssm[name] = newFakeSSM(map[string]string{})
		w.ec2[name] = newFakeEC2()
	}
	return w.ssm[name], w.ec2[name]
}

// publish adds a release image and, when latest, the SSM parameters for it.
func (w *world) publish(region string, k eksami.Key, date, amiID, created string, latest bool) {
	s, e := w.region(region)
	d, err := eksami.ParseDate(date)
	if err != nil {
		panic(err)
	}
	e.images = append(e.images, ec2types.Image{
		ImageId:      aws.String(amiID),
		Name:         aws.String(k.AMIName(d)),
		OwnerId:      aws.String(eksami.OwnerAccount),
		CreationDate: aws.String(created),
		Description:  aws.String("EKS " + k.String()),
	})
	if latest {
		s.params[k.LatestParameter()] = amiID
		s.params[k.MetadataParameter()] = fmt.Sprintf(`{"image_id":%q,"image_name":%q,"release_version":%q}`,
			amiID, k.AMIName(d), k.ReleaseVersion(d))
	}
}

func (w *world) finder(opts ...Option) *Finder {
	return NewFinder(
		func(r string) awsapi.SSMAPI { s, _ := w.region(r); return s },
		func(r string) awsapi.EC2API { _, e := w.region(r); return e },
		opts...)
}

func (w *world) ssmCalls() int {
	n := 0
	for _, s := range w.ssm {
		s.mu.Lock()
		n += len(s.calls)
		s.mu.Unlock()
	}
	return n
}

func (w *world) ec2Calls() int {
	n := 0
	for _, e := range w.ec2 {
		n += len(e.describeCalls())
	}
	return n
}

// img is an Amazon-owned image with the given ID and name.
func img(id, name string) ec2types.Image {
	return ec2types.Image{ImageId: aws.String(id), Name: aws.String(name), OwnerId: aws.String(eksami.OwnerAccount),
		CreationDate: aws.String("2025-01-01T00:00:00.000Z")}
}
