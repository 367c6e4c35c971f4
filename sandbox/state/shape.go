package state

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"sync"

	"github.com/winami/winami/sandbox/world"
)

// accountID is the shape of an AWS account ID.
var accountID = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{12}$`) })

// checkShape refuses a world that parsed but is not a sandbox world (`{}`,
// `null`, a region that is null): served, it would answer every request as
// if the caller's credentials were wrong. It also makes every nil map empty
// ("parameters": null parses to a nil map, and the first write to it
// panicked): maps are where requests add things, and an empty one saves as
// a saved world always has.
func checkShape(w *world.World) error {
	if !accountID().MatchString(w.AccountID) {
		return fmt.Errorf("accountId %q is not a 12-digit account ID", w.AccountID)
	}
	if len(w.Regions) == 0 {
		return errors.New("it has no regions")
	}
	for name, r := range w.Regions {
		if r == nil {
			return fmt.Errorf("region %s is null", name)
		}
		if r.Name == "" {
			r.Name = name
		}
		if r.Name != name {
			return fmt.Errorf("region %s is named %q", name, r.Name)
		}
	}
	return normalise(reflect.ValueOf(w).Elem(), "")
}

// normalise walks a value as JSON sees it: nil maps become empty, and a
// null member of a map or list (an image, a cluster) is refused with its
// path, since every service reads those without looking. Optional pointers
// (a region's imageBuilder) stay nil: the services expect them to be.
func normalise(v reflect.Value, path string) error {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return normalise(v.Elem(), path)
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if err := normalise(v.Field(i), join(path, name)); err != nil {
				return err
			}
		}
	case reflect.Map:
		if v.IsNil() {
			if v.CanSet() {
				v.Set(reflect.MakeMap(v.Type()))
			}
			return nil
		}
		iter := v.MapRange()
		for iter.Next() {
			p := join(path, fmt.Sprint(iter.Key().Interface()))
			if err := element(iter.Value(), p); err != nil {
				return err
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			if err := element(v.Index(i), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// element checks a member of a map or list. Map values cannot be set in
// place, which is fine: a member is a pointer (walked through) or a plain
// value with no map inside.
func element(v reflect.Value, path string) error {
	if v.Kind() == reflect.Pointer || v.Kind() == reflect.Map || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return fmt.Errorf("%s is null", path)
		}
	}
	return normalise(v, path)
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
