package awsapi

import (
	"net/http"
	"sync"
	"testing"
)

func TestCallCounterCountsOperations(t *testing.T) {
	isolate(t)
	r := newRecorder(t, http.StatusOK)
	counter := NewCallCounter()
	cfg, err := LoadConfig(t.Context(), Options{Region: "us-east-1", EndpointURL: r.srv.URL, StaticCredentials: dummyCreds(), Counter: counter})
	if err != nil {
		t.Fatal(err)
	}
	clients := NewClients(cfg)
	// Two regions' clients share the one counter; calls run concurrently.
	var wg sync.WaitGroup
	for _, region := range []string{"us-east-1", "eu-west-1", "us-east-1"} {
		wg.Go(func() {
			if err := getParameter(t.Context(), clients.SSM(region)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()

	if got := counter.Count("SSM", "GetParameter"); got != 3 {
		t.Errorf("Count = %d, want 3", got)
	}
	if got := counter.Total(); got != 3 {
		t.Errorf("Total = %d, want 3", got)
	}
	if got := counter.TotalAttempts(); got != 3 {
		t.Errorf("TotalAttempts = %d, want 3", got)
	}
	snap := counter.Snapshot()
	if len(snap) != 1 || snap["SSM.GetParameter"] != 3 {
		t.Errorf("Snapshot = %v", snap)
	}
	if got, want := counter.String(), "SSM.GetParameter 3\n"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	// A snapshot is a copy.
	snap["SSM.GetParameter"] = 99
	if counter.Count("SSM", "GetParameter") != 3 {
		t.Error("Snapshot aliases the counter")
	}
	counter.Reset()
	if counter.Total() != 0 || counter.String() != "" {
		t.Errorf("after Reset: Total %d, String %q", counter.Total(), counter.String())
	}
}

func TestClientsCachePerRegion(t *testing.T) {
	isolate(t)
	cfg, err := LoadConfig(t.Context(), Options{Region: "us-east-1", StaticCredentials: dummyCreds()})
	if err != nil {
		t.Fatal(err)
	}
	c := NewClients(cfg)
	if c.Region() != "us-east-1" {
		t.Errorf("Region = %q", c.Region())
	}
	if c.SSM("eu-west-1") != c.SSM("eu-west-1") {
		t.Error("SSM client not reused for the same region")
	}
	if c.SSM("eu-west-1") == c.SSM("us-east-1") {
		t.Error("SSM client shared across regions")
	}
	if c.SSM("") != c.SSM("us-east-1") {
		t.Error(`SSM("") is not the default region's client`)
	}
	if c.EC2("eu-west-1") != c.EC2("eu-west-1") || c.STS() != c.STS() {
		t.Error("EC2/STS clients not reused")
	}
}

func TestCounterStringShowsRetries(t *testing.T) {
	c := &CallCounter{calls: map[string]int{"SSM.GetParameters": 2, "EC2.DescribeImages": 1},
		attempts: map[string]int{"SSM.GetParameters": 5, "EC2.DescribeImages": 1}}
	want := "EC2.DescribeImages 1\nSSM.GetParameters 2 (5 attempts)\n"
	if got := c.String(); got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
}
