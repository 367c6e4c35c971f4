package imagebuilder

import (
	"cmp"
	"slices"
	"testing"
)

type item struct {
	arn, name string
	n         int
}

func TestAnswerPageIsNeverNil(t *testing.T) {
	list, next, err := answerPage([]int(nil), listInput{}, func(int) string { return "" })
	if err != nil || next != "" || list == nil || len(list) != 0 {
		t.Fatalf("got %#v %q %v, want an empty non-nil page", list, next, err)
	}
	size := int32(2)
	page, next, err := answerPage([]int{1, 2, 3}, listInput{MaxResults: &size}, func(i int) int { return i * 10 })
	if err != nil || !slices.Equal(page, []int{10, 20}) || next == "" {
		t.Fatalf("got %v %q %v", page, next, err)
	}
	page, next, err = answerPage([]int{1, 2, 3}, listInput{MaxResults: &size, NextToken: next}, func(i int) int { return i * 10 })
	if err != nil || !slices.Equal(page, []int{30}) || next != "" {
		t.Fatalf("second page: got %v %q %v", page, next, err)
	}
}

func TestCollectAndNewest(t *testing.T) {
	m := map[string]*item{
		"c": {arn: "c", name: "x", n: 3}, "a": {arn: "a", name: "x", n: 1},
		"b": {arn: "b", name: "y", n: 2}, "d": {arn: "d", name: "y", n: 0},
	}
	byN := func(a, b *item) int { return cmp.Compare(a.n, b.n) }
	all := collect(m, func(v *item) bool { return v.n > 0 }, byARN(func(v *item) string { return v.arn }))
	if got := arns(all); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("collect: %v", got)
	}
	top := newest(m, func(*item) bool { return true }, func(v *item) string { return v.name }, byN)
	if len(top) != 2 || top["x"].arn != "c" || top["y"].arn != "b" {
		t.Errorf("newest: %v", top)
	}
}

func arns(items []*item) []string {
	var out []string
	for _, v := range items {
		out = append(out, v.arn)
	}
	return out
}

// The filter names an error lists are sorted, whatever the table's order.
func TestFieldsCheckListsSortedNames(t *testing.T) {
	fs := fields[item]{"zeta": nil, "alpha": nil, "mid": nil}
	err := fs.check([]filter{{Name: "nope", Values: []string{"v"}}})
	want := invalidParam("filters", "The filter name '%s' is not supported; use one of: %s.", "nope", "alpha, mid, zeta")
	if err == nil || err.Error() != want.Error() {
		t.Fatalf("got %v, want %v", err, want)
	}
	named := nameFilter(func(v *item) string { return v.name })
	if !named.match([]filter{{Name: "name", Values: []string{"y", "x"}}}, &item{name: "x"}) ||
		named.match([]filter{{Name: "name", Values: []string{"y"}}}, &item{name: "x"}) {
		t.Error("name filter")
	}
}

func TestCheckARNMessages(t *testing.T) {
	for _, c := range []struct{ arn, want string }{
		{"", "InvalidParameterValueException: The value supplied for parameter 'imagePipelineArn' is not valid. 'imagePipelineArn' is required."},
		{"arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/r/1.0.0",
			"InvalidParameterValueException: The value supplied for parameter 'imagePipelineArn' is not valid. 'imagePipelineArn' must be the ARN of a image pipeline."},
		{"arn:aws:imagebuilder:us-east-1:123456789012:image-pipeline/p", ""},
	} {
		err := checkKindARN("imagePipelineArn", c.arn, "image-pipeline")
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != c.want {
			t.Errorf("%q: got %q, want %q", c.arn, got, c.want)
		}
	}
}
