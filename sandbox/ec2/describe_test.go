package ec2

import (
	"encoding/base64"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/state"
	"github.com/winami/winami/sandbox/world"
)

// thing is the kit tests' resource: an ID of the form t-<digits> and a
// colour to filter on.
type thing struct{ id, colour string }

// things are seven of them, listed out of ID order.
var things = []thing{
	{"t-5", "red"}, {"t-1", "blue"}, {"t-7", "red"}, {"t-3", "blue"},
	{"t-2", "red"}, {"t-6", "blue"}, {"t-4", "red"},
}

// page is what thingSpec renders.
type page struct {
	ids  []string
	next string
}

// thingSpec is a Describe call over things with every part of the kit in
// use; tests change what they probe.
func thingSpec() *describeSpec[thing] {
	return &describeSpec[thing]{
		idParam: "ThingId",
		malformed: func(id string) error {
			if !strings.HasPrefix(id, "t-") {
				return protocol.Errorf("InvalidThingID.Malformed", "Invalid id: %q", id)
			}
			return nil
		},
		filterNames: []string{"colour"},
		paging:      &paging{min: 1, max: 5},
		exists: func(_ describeScope, id string) bool {
			return slices.ContainsFunc(things, func(t thing) bool { return t.id == id })
		},
		notFound: func(missing []string) error {
			return protocol.Errorf("InvalidThingID.NotFound", "%s", strings.Join(missing, ","))
		},
		list: func(_ describeScope, ids []string) ([]thing, error) {
			return slices.DeleteFunc(slices.Clone(things), func(t thing) bool {
				return len(ids) > 0 && !slices.Contains(ids, t.id)
			}), nil
		},
		values: func(_ describeScope, t thing, name string) []string {
			if name == "colour" {
				return []string{t.colour}
			}
			return nil
		},
		key: func(t thing) string { return t.id },
		render: func(_ describeScope, items []thing, next string) any {
			p := page{ids: []string{}, next: next}
			for _, t := range items {
				p.ids = append(p.ids, t.id)
			}
			return p
		},
	}
}

func kitStore(t *testing.T) *state.Store {
	t.Helper()
	store, err := state.Open("", func() *world.World {
		w := world.New("111122223333")
		w.AddRegion("us-east-1")
		return w
	})
	if err != nil {
		t.Fatal(err)
	}
	return store
}

// params builds a query from name/value pairs.
func params(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

func token(key string) string { return base64.RawURLEncoding.EncodeToString([]byte(key)) }

func TestDescribeKitErrors(t *testing.T) {
	store := kitStore(t)
	errBefore := protocol.Errorf("InvalidParameterValue", "before")
	errAfter := protocol.Errorf("InvalidParameterValue", "after")
	cases := []struct {
		name   string
		region string
		params url.Values
		tweak  func(*describeSpec[thing])
		want   string
	}{
		{name: "malformed ID", params: params("ThingId.1", "t-1", "ThingId.2", "x-2"),
			want: `InvalidThingID.Malformed: Invalid id: "x-2"`},
		{name: "every missing ID, in request order", params: params("ThingId.1", "t-9", "ThingId.2", "t-1", "ThingId.3", "t-8"),
			want: "InvalidThingID.NotFound: t-9,t-8"},
		{name: "unknown filter", params: params("Filter.1.Name", "colour", "Filter.1.Value.1", "red", "Filter.2.Name", "size", "Filter.2.Value.1", "1"),
			want: "InvalidParameterValue: The filter 'size' is invalid"},
		{name: "tag filter where the call has none", params: params("Filter.1.Name", "tag:Name", "Filter.1.Value.1", "x"),
			want: "InvalidParameterValue: The filter 'tag:Name' is invalid"},
		{name: "tag filter without a key", params: params("Filter.1.Name", "tag:", "Filter.1.Value.1", "x"),
			tweak: func(s *describeSpec[thing]) { s.tagFilters = true },
			want:  "InvalidParameterValue: The filter 'tag:' is invalid"},
		{name: "MaxResults not a number", params: params("MaxResults", "ten"),
			want: "InvalidParameterValue: Invalid value 'ten' for maxResults"},
		{name: "MaxResults below the minimum", params: params("MaxResults", "0"),
			want: "InvalidParameterValue: Value ( 0 ) for parameter maxResults is invalid. Expecting a value greater than 1."},
		{name: "MaxResults above the maximum", params: params("MaxResults", "6"),
			want: "InvalidParameterValue: Value ( 6 ) for parameter maxResults is invalid. Expecting a value less than 5."},
		{name: "IDs with MaxResults where the call refuses both", params: params("ThingId.1", "t-1", "MaxResults", "2"),
			tweak: func(s *describeSpec[thing]) { s.paging.exclusiveWith = "thingIdSet" },
			want:  "InvalidParameterCombination: The parameter thingIdSet cannot be used with the parameter maxResults"},
		{name: "NextToken not base64", params: params("NextToken", "!!"),
			want: "InvalidNextToken: The specified NextToken is not valid."},
		{name: "NextToken of nothing", params: params("NextToken", "=="),
			want: "InvalidNextToken: The specified NextToken is not valid."},
		{name: "NextToken the call's rule refuses", params: params("NextToken", token("zz")),
			tweak: func(s *describeSpec[thing]) {
				s.paging.validKey = func(k []byte) bool { return strings.HasPrefix(string(k), "t-") }
				s.paging.badToken = func() error { return protocol.Errorf("InvalidPaginationToken", "expired") }
			},
			want: "InvalidPaginationToken: expired"},
		{name: "before", params: params(),
			tweak: func(s *describeSpec[thing]) { s.before = func(*protocol.Request) error { return errBefore } },
			want:  errBefore.Error()},
		{name: "after", params: params(),
			tweak: func(s *describeSpec[thing]) { s.after = func(*protocol.Request) error { return errAfter } },
			want:  errAfter.Error()},
		{name: "listing fails", params: params(),
			tweak: func(s *describeSpec[thing]) {
				s.list = func(describeScope, []string) ([]thing, error) { return nil, errAfter }
			},
			want: errAfter.Error()},
		{name: "region the world lacks", region: "eu-west-3", params: params(),
			want: "AuthFailure: AWS was not able to validate the provided access credentials"},

		// Which fault wins when a request has several.
		{name: "before beats a malformed ID", params: params("ThingId.1", "x"),
			tweak: func(s *describeSpec[thing]) { s.before = func(*protocol.Request) error { return errBefore } },
			want:  errBefore.Error()},
		{name: "a malformed ID beats after", params: params("ThingId.1", "x"),
			tweak: func(s *describeSpec[thing]) { s.after = func(*protocol.Request) error { return errAfter } },
			want:  `InvalidThingID.Malformed: Invalid id: "x"`},
		{name: "after beats an unknown filter", params: params("Filter.1.Name", "size", "Filter.1.Value.1", "1"),
			tweak: func(s *describeSpec[thing]) { s.after = func(*protocol.Request) error { return errAfter } },
			want:  errAfter.Error()},
		{name: "an unknown filter beats MaxResults", params: params("Filter.1.Name", "size", "Filter.1.Value.1", "1", "MaxResults", "9"),
			want: "InvalidParameterValue: The filter 'size' is invalid"},
		{name: "MaxResults beats NextToken", params: params("MaxResults", "9", "NextToken", "!!"),
			want: "InvalidParameterValue: Value ( 9 ) for parameter maxResults is invalid. Expecting a value less than 5."},
		{name: "paging checked first where IDs exclude MaxResults", params: params("ThingId.1", "x", "MaxResults", "2"),
			tweak: func(s *describeSpec[thing]) { s.paging.exclusiveWith = "thingIdSet" },
			want:  "InvalidParameterCombination: The parameter thingIdSet cannot be used with the parameter maxResults"},
		{name: "before still first where IDs exclude MaxResults", params: params("ThingId.1", "t-1", "MaxResults", "2"),
			tweak: func(s *describeSpec[thing]) {
				s.paging.exclusiveWith = "thingIdSet"
				s.before = func(*protocol.Request) error { return errBefore }
			},
			want: errBefore.Error()},
		{name: "a bad parameter beats an unknown region", region: "eu-west-3", params: params("ThingId.1", "x"),
			want: `InvalidThingID.Malformed: Invalid id: "x"`},
		{name: "an unknown region beats a missing ID", region: "eu-west-3", params: params("ThingId.1", "t-9"),
			want: "AuthFailure: AWS was not able to validate the provided access credentials"},
		{name: "a missing ID beats a failing listing", params: params("ThingId.1", "t-9"),
			tweak: func(s *describeSpec[thing]) {
				s.list = func(describeScope, []string) ([]thing, error) { return nil, errAfter }
			},
			want: "InvalidThingID.NotFound: t-9"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			spec := thingSpec()
			if c.tweak != nil {
				c.tweak(spec)
			}
			region := c.region
			if region == "" {
				region = "us-east-1"
			}
			out, err := describe(store, &protocol.Request{Region: region, Params: c.params}, spec)
			var awsErr *protocol.Error
			if !errors.As(err, &awsErr) {
				t.Fatalf("got %v, %v; want the error %s", out, err, c.want)
			}
			if err.Error() != c.want {
				t.Errorf("got  %s\nwant %s", err, c.want)
			}
		})
	}
}

func TestDescribeKitAnswers(t *testing.T) {
	store := kitStore(t)
	cases := []struct {
		name   string
		params url.Values
		tweak  func(*describeSpec[thing])
		want   page
	}{
		{name: "everything in key order", params: params(),
			want: page{ids: []string{"t-1", "t-2", "t-3", "t-4", "t-5", "t-6", "t-7"}}},
		{name: "asked-for IDs", params: params("ThingId.1", "t-6", "ThingId.2", "t-2"),
			want: page{ids: []string{"t-2", "t-6"}}},
		{name: "IDs with MaxResults where the call takes both", params: params("ThingId.1", "t-6", "ThingId.2", "t-2", "MaxResults", "1"),
			want: page{ids: []string{"t-2"}, next: token("t-2")}},
		{name: "filter values are alternatives", params: params("Filter.1.Name", "colour", "Filter.1.Value.1", "blue", "Filter.1.Value.2", "gr*"),
			want: page{ids: []string{"t-1", "t-3", "t-6"}}},
		{name: "filters all hold", params: params("Filter.1.Name", "colour", "Filter.1.Value.1", "blue", "ThingId.1", "t-1", "ThingId.2", "t-2"),
			want: page{ids: []string{"t-1"}}},
		{name: "a tag filter where the call takes them", params: params("Filter.1.Name", "tag:team", "Filter.1.Value.1", "x"),
			tweak: func(s *describeSpec[thing]) { s.tagFilters = true },
			want:  page{ids: []string{}}},
		{name: "nothing matches", params: params("Filter.1.Name", "colour", "Filter.1.Value.1", "green"),
			want: page{ids: []string{}}},
		{name: "the last page has no token", params: params("MaxResults", "5", "NextToken", token("t-3")),
			want: page{ids: []string{"t-4", "t-5", "t-6", "t-7"}}},
		{name: "a full last page has no token", params: params("MaxResults", "4", "NextToken", token("t-3")),
			want: page{ids: []string{"t-4", "t-5", "t-6", "t-7"}}},
		{name: "a token past the end", params: params("MaxResults", "2", "NextToken", token("t-9")),
			want: page{ids: []string{}}},
		{name: "a token between keys", params: params("MaxResults", "2", "NextToken", token("t-35")),
			want: page{ids: []string{"t-4", "t-5"}, next: token("t-5")}},
		{name: "no paging: list's order, MaxResults ignored", params: params("MaxResults", "2"),
			tweak: func(s *describeSpec[thing]) { s.paging, s.key = nil, nil },
			want:  page{ids: []string{"t-5", "t-1", "t-7", "t-3", "t-2", "t-6", "t-4"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			spec := thingSpec()
			if c.tweak != nil {
				c.tweak(spec)
			}
			out, err := describe(store, &protocol.Request{Region: "us-east-1", Params: c.params}, spec)
			if err != nil {
				t.Fatal(err)
			}
			got := out.(page)
			if !slices.Equal(got.ids, c.want.ids) || got.next != c.want.next {
				t.Errorf("got %v %q, want %v %q", got.ids, got.next, c.want.ids, c.want.next)
			}
		})
	}
}

// TestDescribeKitPagesThrough: following the tokens visits every matching
// item once, in key order, whatever order the listing gave them in.
func TestDescribeKitPagesThrough(t *testing.T) {
	store := kitStore(t)
	for _, tc := range []struct {
		size   int
		filter url.Values
		pages  [][]string
	}{
		{size: 3, pages: [][]string{{"t-1", "t-2", "t-3"}, {"t-4", "t-5", "t-6"}, {"t-7"}}},
		{size: 1, filter: params("Filter.1.Name", "colour", "Filter.1.Value.1", "blue"),
			pages: [][]string{{"t-1"}, {"t-3"}, {"t-6"}}},
	} {
		var got [][]string
		next := ""
		for range 10 {
			p := params("MaxResults", strconv.Itoa(tc.size))
			for k, v := range tc.filter {
				p[k] = v
			}
			if next != "" {
				p.Set("NextToken", next)
			}
			out, err := describe(store, &protocol.Request{Region: "us-east-1", Params: p}, thingSpec())
			if err != nil {
				t.Fatal(err)
			}
			pg := out.(page)
			got = append(got, pg.ids)
			if next = pg.next; next == "" {
				break
			}
		}
		if !slices.EqualFunc(got, tc.pages, slices.Equal) {
			t.Errorf("MaxResults %d %v: pages %v, want %v", tc.size, tc.filter, got, tc.pages)
		}
	}
}

// TestDescribeKitLeavesListAlone: the kit sorts and filters its own copy,
// never the slice list returns (the world's sorted instances are shared
// by every reader).
func TestDescribeKitLeavesListAlone(t *testing.T) {
	store := kitStore(t)
	shared := slices.Clone(things)
	spec := thingSpec()
	spec.list = func(describeScope, []string) ([]thing, error) { return shared, nil }
	_, err := describe(store, &protocol.Request{Region: "us-east-1",
		Params: params("Filter.1.Name", "colour", "Filter.1.Value.1", "red")}, spec)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(shared, things) {
		t.Errorf("list's slice changed: %v", shared)
	}
}

func TestDescribeKitHelpers(t *testing.T) {
	vpc := idShape(vpcIDPattern, "InvalidVpcId.Malformed", "vpc-")
	inst := idShape(instanceIDPattern, "InvalidInstanceID.Malformed", "")
	for _, c := range []struct {
		check func(string) error
		id    string
		want  string
	}{
		{vpc, "vpc-0123456789abcdef0", ""},
		{vpc, "vpc-01234567", ""},
		{vpc, "vpc-0123", `InvalidVpcId.Malformed: Invalid id: "vpc-0123" (expecting "vpc-...")`},
		{vpc, "subnet-01234567", `InvalidVpcId.Malformed: Invalid id: "subnet-01234567" (expecting "vpc-...")`},
		{inst, "i-0123456789abcdef0", ""},
		{inst, "i-xyz", `InvalidInstanceID.Malformed: Invalid id: "i-xyz"`},
	} {
		got := ""
		if err := c.check(c.id); err != nil {
			got = err.Error()
		}
		if got != c.want {
			t.Errorf("%s: got %q, want %q", c.id, got, c.want)
		}
	}
	err := firstMissing("InvalidGroup.NotFound", "The security group '%s' does not exist")([]string{"sg-1", "sg-2"})
	if want := "InvalidGroup.NotFound: The security group 'sg-1' does not exist"; err.Error() != want {
		t.Errorf("firstMissing: got %q, want %q", err, want)
	}
	if items := itemsOf([]thing(nil), func(t thing) string { return t.id }); items == nil || len(items) != 0 {
		t.Errorf("itemsOf(nil) = %#v, want an empty, non-nil list", items)
	}
	if items := itemsOf(things[:2], func(t thing) string { return t.id }); !slices.Equal(items, []string{"t-5", "t-1"}) {
		t.Errorf("itemsOf = %v", items)
	}
}
