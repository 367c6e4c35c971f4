package protocol

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestMatchRoute(t *testing.T) {
	routes := testRESTService().Routes
	tests := []struct {
		method, path string
		wantOp       string
		wantParams   map[string]string
	}{
		{"GET", "/clusters/prod", "DescribeCluster", map[string]string{"name": "prod"}},
		{"GET", "/clusters/prod/", "DescribeCluster", map[string]string{"name": "prod"}},
		{"GET", "/clusters/my%2Fcluster", "DescribeCluster", map[string]string{"name": "my/cluster"}},
		{"GET", "/clusters/a%20b/node-groups", "ListNodegroups", map[string]string{"name": "a b"}},
		{"POST", "/clusters", "CreateCluster", map[string]string{}},
		{"GET", "/files/a/b%2Fc/d", "GetFile", map[string]string{"path": "a/b/c/d"}},
		{"GET", "/files/x", "GetFile", map[string]string{"path": "x"}},
		// Misses.
		{"GET", "/files", "", nil},
		{"GET", "/files/", "", nil},
		{"GET", "/clusters", "", nil},
		{"GET", "/clusters//node-groups", "", nil},
		{"GET", "/clusters/a/node-groups/b", "", nil},
		{"PUT", "/clusters/prod", "", nil},
		{"GET", "/clusters/%zz", "", nil},
		{"GET", "/", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			route, params, ok := matchRoute(routes, tt.method, tt.path) // paths are given escaped
			if tt.wantOp == "" {
				if ok {
					t.Errorf("matched %s %v, want no match", route.Operation, params)
				}
				return
			}
			if !ok || route.Operation != tt.wantOp || !maps.Equal(params, tt.wantParams) {
				t.Errorf("got %q %v %v, want %q %v", route.Operation, params, ok, tt.wantOp, tt.wantParams)
			}
		})
	}
}

func TestMatchRouteRoot(t *testing.T) {
	routes := []Route{{Method: http.MethodPost, Pattern: "/", Operation: "Root"}}
	if r, _, ok := matchRoute(routes, http.MethodPost, "/"); !ok || r.Operation != "Root" {
		t.Errorf("root route not matched")
	}
	if _, _, ok := matchRoute(routes, http.MethodPost, "/x"); ok {
		t.Errorf("root route matched /x")
	}
}

func TestListAndFilters(t *testing.T) {
	params, err := url.ParseQuery("ImageId.10=j&ImageId.2=b&ImageId.1=a&ImageId.0=zero&ImageId.x=bad&Owner.1=self" +
		"&Filter.2.Name=state&Filter.2.Value.1=available" +
		"&Filter.1.Name=name&Filter.1.Value.2=b*&Filter.1.Value.1=a*" +
		"&UserIds.member.1=u1&UserIds.member.2=u2")
	if err != nil {
		t.Fatal(err)
	}
	req := &Request{Params: params}
	if got := List(req, "ImageId"); !slices.Equal(got, []string{"a", "b", "j"}) {
		t.Errorf("List(ImageId) = %v", got)
	}
	if got := List(req, "UserIds.member"); !slices.Equal(got, []string{"u1", "u2"}) {
		t.Errorf("List(UserIds.member) = %v", got)
	}
	if got := List(req, "Missing"); len(got) != 0 {
		t.Errorf("List(Missing) = %v", got)
	}
	got := Filters(req)
	want := []Filter{{Name: "name", Values: []string{"a*", "b*"}}, {Name: "state", Values: []string{"available"}}}
	if len(got) != len(want) {
		t.Fatalf("Filters = %+v", got)
	}
	for i := range want {
		if got[i].Name != want[i].Name || !slices.Equal(got[i].Values, want[i].Values) {
			t.Errorf("Filters[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
}

// manyFilters is a request of n filters of one value each.
func manyFilters(n int) *Request {
	params := url.Values{}
	for i := 1; i <= n; i++ {
		params.Set(fmt.Sprintf("Filter.%d.Name", i), "image-id")
		params.Set(fmt.Sprintf("Filter.%d.Value.1", i), fmt.Sprintf("ami-%017x", i))
	}
	return &Request{Params: params}
}

// Filters reads a request in one pass: 50,000 filters (quadratic reading
// took minutes) are read in well under the bound, even on a loaded machine.
func TestFiltersLinear(t *testing.T) {
	req := manyFilters(50000)
	done := make(chan []Filter, 1)
	go func() { done <- Filters(req) }()
	select {
	case got := <-done:
		if len(got) != 50000 || got[49999].Values[0] != fmt.Sprintf("ami-%017x", 50000) {
			t.Errorf("read %d filters, last %+v", len(got), got[len(got)-1])
		}
	case <-time.After(5 * time.Second):
		t.Fatal("reading 50,000 filters took more than 5s")
	}
}

func BenchmarkFilters5000(b *testing.B) {
	req := manyFilters(5000)
	for b.Loop() {
		Filters(req)
	}
}

func TestCheckListIndexes(t *testing.T) {
	for _, key := range []string{"ImageId.1", "ImageId.2147483647", "Filter.3.Value.12", "BlockDeviceMapping.1.Ebs.VolumeSize", "UserIds.member.1", "DryRun", "ImageId.x"} {
		if err := CheckListIndexes(&Request{Params: url.Values{key: {"v"}}}); err != nil {
			t.Errorf("%s: %v", key, err)
		}
	}
	for _, key := range []string{"ImageId.-1", "ImageId.0", "ImageId.+1", "ImageId.2147483648", "ImageId.99999999999999999999", "ImageId.", "Filter..Name", "Filter.1.Value.-1", "Owner.1x"} {
		err := CheckListIndexes(&Request{Params: url.Values{key: {"v"}}})
		var apiErr *Error
		if !errors.As(err, &apiErr) || apiErr.Code != "InvalidParameterValue" || apiErr.HTTPStatus() != 400 || !strings.Contains(apiErr.Message, key) {
			t.Errorf("%s: %v, want InvalidParameterValue naming it", key, err)
		}
	}
}
