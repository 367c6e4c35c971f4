package catalog

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/test/inflight"
)

// TestEachRegionIsBoundedAndKeepsGoing: an all-regions read runs at most
// maxRegionsAtOnce regions together, and a failing region neither stops
// the others nor loses its name.
func TestEachRegionIsBoundedAndKeepsGoing(t *testing.T) {
	regions := make([]string, 3*maxRegionsAtOnce)
	for i := range regions {
		regions[i] = fmt.Sprintf("test-region-%d", i)
	}
	var c inflight.Counter
	err := eachRegion(t.Context(), regions, func(ctx context.Context, i int, region string) error {
		_, leave := c.Enter()
		defer leave()
		time.Sleep(5 * time.Millisecond)
		if i == 0 {
			return errors.New("AccessDenied")
		}
		return nil
	})
	if got := c.Peak(); got > maxRegionsAtOnce || got < 2 {
		t.Errorf("%d regions at once, want between 2 and %d", got, maxRegionsAtOnce)
	}
	if got := c.Calls(); int(got) != len(regions) {
		t.Errorf("%d of %d regions were read after one failed", got, len(regions))
	}
	var re *awsapi.RegionError
	if !errors.As(err, &re) || re.Region != regions[0] {
		t.Errorf("err = %v, want the failing region named", err)
	}
}

// failFirst fails the first GetParameters and holds every other one until
// its context ends.
type failFirst struct {
	awsapi.SSMAPI
	calls inflight.Counter
}

func (f *failFirst) GetParameters(ctx context.Context, in *ssm.GetParametersInput, _ ...func(*ssm.Options)) (*ssm.GetParametersOutput, error) {
	n, leave := f.calls.Enter()
	defer leave()
	if n == 1 {
		return nil, errors.New("AccessDenied")
	}
	<-ctx.Done()
	return nil, ctx.Err()
}

// TestGetParametersStopsAtFirstError: once a batch fails, the batches
// still waiting for a slot are not sent at all.
func TestGetParametersStopsAtFirstError(t *testing.T) {
	names := make([]string, 10*maxGetParameters)
	for i := range names {
		names[i] = fmt.Sprintf("/p/%d", i)
	}
	f := &failFirst{}
	_, err := getParameters(t.Context(), f, 2, names)
	if err == nil || !strings.Contains(err.Error(), "AccessDenied") {
		t.Errorf("err = %v, want the first failure", err)
	}
	if n := f.calls.Calls(); n > 2 {
		t.Errorf("%d calls after the first failed, want at most the one in flight", n-1)
	}
}
