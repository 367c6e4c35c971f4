package awsapi

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	smithytime "github.com/aws/smithy-go/time"
)

// The values a lean DescribeInstances scan makes, made many at a time, and
// the text they are made of, unescaped.

// slab hands out pointers to, and runs of, values in arrays of 256.
type slab[T any] struct{ buf []T }

// put is a pointer to a copy of v.
func (sl *slab[T]) put(v T) *T {
	if len(sl.buf) == cap(sl.buf) {
		sl.buf = make([]T, 0, 256)
	}
	sl.buf = append(sl.buf, v)
	return &sl.buf[len(sl.buf)-1]
}

// take is a run of n zero values, the whole of a new array if n is more
// than 256.
func (sl *slab[T]) take(n int) []T {
	if n > 256 {
		return make([]T, n)
	}
	if n > cap(sl.buf)-len(sl.buf) || sl.buf == nil {
		sl.buf = make([]T, 0, 256)
	}
	start := len(sl.buf)
	sl.buf = sl.buf[:start+n]
	return sl.buf[start : start+n : start+n]
}

// grow is run with a zero value more. A run that is the last one handed
// out grows in place; another, or one at the slab's end, is copied to the
// end first (of a new slab when full).
func (sl *slab[T]) grow(run []T) []T {
	var zero T
	n := len(sl.buf)
	last := len(run) == 0 || n > 0 && &run[len(run)-1] == &sl.buf[n-1]
	if !last || n == cap(sl.buf) {
		if len(sl.buf)+len(run)+1 > cap(sl.buf) {
			sl.buf = make([]T, 0, max(256, 2*(len(run)+1)))
		}
		start := len(sl.buf)
		sl.buf = append(append(sl.buf, run...), zero)
		return sl.buf[start:len(sl.buf):len(sl.buf)]
	}
	sl.buf = append(sl.buf, zero)
	return sl.buf[n-len(run) : n+1 : n+1]
}

// intern is b as a string, the same string for the same bytes (up to a
// bound, so a hostile reply cannot grow the table without end). The
// strings met last are found by a hash of a few bytes and a comparison,
// before the table's hash of all of them: a fleet's instances share most
// of theirs (AMI, state, tags).
func (s *instancesScan) intern(b []byte) string {
	h := uint8(len(b))
	if len(b) > 0 {
		h = h*31 + b[0]*7 + b[len(b)/2]*3 + b[len(b)-1]
	}
	if v := s.recent[h]; v == string(b) {
		return v
	}
	v, ok := s.interned[string(b)]
	if !ok {
		v = s.arena.str(b)
		if len(s.interned) < 4096 {
			s.interned[v] = v
		}
	}
	s.recent[h] = v
	return v
}

// strArena makes strings of bytes copied into shared arrays of 4 KiB: one
// allocation for a few hundred instance IDs rather than one each. Bytes,
// once a string, are never written again.
type strArena struct{ buf []byte }

func (a *strArena) str(b []byte) string {
	switch {
	case len(b) == 0:
		return ""
	case len(b) > 256:
		return string(b)
	case len(b) > cap(a.buf)-len(a.buf):
		a.buf = make([]byte, 0, 4096)
	}
	start := len(a.buf)
	a.buf = append(a.buf, b...)
	return unsafe.String(&a.buf[start], len(b))
}

// parseLaunchTime reads a date-time as the SDK does. The form EC2 writes,
// 2018-05-08T16:46:19.000Z, is read here; any other is smithy's to read,
// or to refuse.
func parseLaunchTime(b []byte) (time.Time, error) {
	if t, ok := parseUTCDateTime(b); ok {
		return t, nil
	}
	return smithytime.ParseDateTime(string(b))
}

// parseUTCDateTime reads YYYY-MM-DDThh:mm:ss[.f{1,9}]Z, a valid date and
// time of day, as time.Parse does; it declines anything else.
func parseUTCDateTime(b []byte) (time.Time, bool) {
	if len(b) < len("2006-01-02T15:04:05Z") || b[4] != '-' || b[7] != '-' || b[10] != 'T' ||
		b[13] != ':' || b[16] != ':' || b[len(b)-1] != 'Z' {
		return time.Time{}, false
	}
	digits := func(s []byte) int {
		n := 0
		for _, c := range s {
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	year, month, day := digits(b[0:4]), digits(b[5:7]), digits(b[8:10])
	hour, minute, sec := digits(b[11:13]), digits(b[14:16]), digits(b[17:19])
	nsec := 0
	if frac := b[19 : len(b)-1]; len(frac) > 0 {
		if frac[0] != '.' || len(frac) < 2 || len(frac) > 10 {
			return time.Time{}, false
		}
		if nsec = digits(frac[1:]); nsec < 0 {
			return time.Time{}, false
		}
		for range 10 - len(frac) {
			nsec *= 10
		}
	}
	if year < 0 || month < 1 || month > 12 || day < 1 || day > daysIn(month, year) ||
		hour < 0 || hour > 23 || minute < 0 || minute > 59 || sec < 0 || sec > 59 {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC), true
}

func daysIn(month, year int) int {
	if month == 2 && year%4 == 0 && (year%100 != 0 || year%400 == 0) {
		return 29
	}
	return [...]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[month-1]
}

// escapeCDATA escapes a CDATA section's '&', so the text it joins can be
// unescaped as a whole.
func escapeCDATA(b []byte) []byte {
	if bytes.IndexByte(b, '&') < 0 {
		return b
	}
	return bytes.ReplaceAll(b, []byte("&"), []byte("&amp;"))
}

// unescapeXML appends b to dst with the five named entities and character
// references resolved.
func unescapeXML(dst, b []byte) ([]byte, error) {
	out := dst
	for len(b) > 0 {
		i := bytes.IndexByte(b, '&')
		if i < 0 {
			out = append(out, b...)
			break
		}
		out = append(out, b[:i]...)
		b = b[i+1:]
		j := bytes.IndexByte(b, ';')
		if j < 0 {
			return nil, errors.New("an unterminated entity reference")
		}
		ref := b[:j]
		b = b[j+1:]
		switch string(ref) { // compared, not copied
		case "amp":
			out = append(out, '&')
		case "lt":
			out = append(out, '<')
		case "gt":
			out = append(out, '>')
		case "quot":
			out = append(out, '"')
		case "apos":
			out = append(out, '\'')
		default:
			r, err := charRef(string(ref))
			if err != nil {
				return nil, err
			}
			out = utf8.AppendRune(out, r)
		}
	}
	return out, nil
}

// charRef reads "#NN" or "#xHH".
func charRef(ref string) (rune, error) {
	num, base := strings.CutPrefix(ref, "#x")
	b := 16
	if !base {
		var ok bool
		if num, ok = strings.CutPrefix(ref, "#"); !ok {
			return 0, fmt.Errorf("unknown entity &%s;", ref)
		}
		b = 10
	}
	n, err := strconv.ParseUint(num, b, 32)
	if err != nil || !utf8.ValidRune(rune(n)) {
		return 0, fmt.Errorf("invalid character reference &%s;", ref)
	}
	return rune(n), nil
}
