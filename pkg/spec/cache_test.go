package spec

import (
	"fmt"
	"strings"
	"testing"
)

func cacheSpec(kubernetes string, c *Cache) *Spec {
	return &Spec{Name: "n", Region: "us-east-1", Base: Base{Windows: "2022", Edition: "core"},
		Kubernetes: Kubernetes{Version: kubernetes}, Build: Build{InstanceProfile: "p"}, Cache: c}
}

func TestCacheDefaults(t *testing.T) {
	s := cacheSpec("1.35", nil)
	s.ApplyDefaults()
	if s.Cache != nil {
		t.Errorf("cache = %+v, want it to stay off", s.Cache)
	}
	s = cacheSpec("1.35", &Cache{Images: []string{"mcr.microsoft.com/windows/servercore:ltsc2022"}})
	s.ApplyDefaults()
	if c := s.Cache; c.Pin == nil || !*c.Pin || c.Verify == nil || !*c.Verify || c.ParallelPulls != DefaultParallelPulls {
		t.Errorf("cache = %+v, want pin and verify true, %d parallel pulls", c, DefaultParallelPulls)
	}
	f := false
	s = cacheSpec("1.35", &Cache{Images: []string{"a.io/b:c"}, Pin: &f, Verify: &f, ParallelPulls: 7})
	s.ApplyDefaults()
	if c := s.Cache; *c.Pin || *c.Verify || c.ParallelPulls != 7 {
		t.Errorf("cache = %+v, want it unchanged", c)
	}
}

func TestCacheValidate(t *testing.T) {
	f := false
	many := make([]string, MaxCacheImages+1)
	for i := range many {
		many[i] = fmt.Sprintf("mcr.microsoft.com/windows/app%d:1", i)
	}
	for _, tc := range []struct {
		name, kubernetes string
		cache            Cache
		want             string // "" for valid
	}{
		{"ecr and public", "1.35", Cache{Images: []string{
			"mcr.microsoft.com/windows/servercore:ltsc2022",
			"111122223333.dkr.ecr.us-east-1.amazonaws.com/payments/api:1.4.2",
			"999988887777.dkr.ecr.eu-west-1.amazonaws.com/team/app@sha256:" + strings.Repeat("a", 64),
			"public.ecr.aws/eks/pause:3.9", "docker.io/library/busybox:1.36",
		}}, ""},
		{"pin on 1.24", "1.24", Cache{Images: []string{"mcr.microsoft.com/windows/servercore:ltsc2022"}}, ""},
		{"docker without pin", "1.23", Cache{Images: []string{"mcr.microsoft.com/windows/servercore:ltsc2022"}, Pin: &f}, ""},
		// On Docker nodes pin defaults to false: only asking for it is an error.
		{"docker with default pin", "1.23", Cache{Images: []string{"mcr.microsoft.com/windows/servercore:ltsc2022"}}, ""},
		{"no images", "1.35", Cache{}, "cache.images: missing"},
		{"too many", "1.35", Cache{Images: many}, "cache.images: 51 images; at most 50 can be cached"},
		{"quote", "1.35", Cache{Images: []string{"mcr.microsoft.com/a:b'c"}}, `cache.images[0]: "mcr.microsoft.com/a:b'c": the tag`},
		{"too many pulls", "1.35", Cache{Images: []string{"a.io/b:c"}, ParallelPulls: 17}, "cache.parallelPulls: 17 pulls at once; use 1 to 16"},
		{"negative pulls", "1.35", Cache{Images: []string{"a.io/b:c"}, ParallelPulls: -1}, "cache.parallelPulls: -1 pulls at once"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.cache
			s := cacheSpec(tc.kubernetes, &c)
			s.ApplyDefaults()
			err := s.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Validate = %v, want no problem", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Validate = %v, want %q", err, tc.want)
			}
		})
	}
}
