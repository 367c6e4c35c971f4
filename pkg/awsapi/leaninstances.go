package awsapi

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithytime "github.com/aws/smithy-go/time"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// LeanInstances is a per-call option of EC2 DescribeInstances for readers
// that need only a few fields of many instances (drift, rollout): the
// reply's XML is scanned once for each instance's InstanceId, ImageId,
// LaunchTime, State and Tags, and the page's NextToken; every other member
// of the output is left empty. An instance in EC2's reply is kilobytes of
// XML, and the SDK's decoder, which builds every member through
// encoding/xml, took 47 µs per instance (this scan: 4.5; see
// BenchmarkDescribeInstancesDecode): most of a fleet report's time. Error
// replies are left to the SDK's decoder, so errors are the SDK's own; a
// reply whose connection fails midway is a connection error the SDK's
// retryer repeats.
//
//	api.DescribeInstances(ctx, in, awsapi.LeanInstances)
func LeanInstances(o *ec2.Options) {
	o.APIOptions = append(o.APIOptions, swapInstancesDeserializer)
}

// operationDeserializer is the ID every SDK operation gives its decoder.
const operationDeserializer = "OperationDeserializer"

func swapInstancesDeserializer(stack *middleware.Stack) error {
	sdk, ok := stack.Deserialize.Get(operationDeserializer)
	if !ok {
		return fmt.Errorf("lean DescribeInstances: the SDK's stack has no %s", operationDeserializer)
	}
	_, err := stack.Deserialize.Swap(operationDeserializer, leanInstancesDeserializer{sdk: sdk})
	return err
}

// leanInstancesDeserializer wraps the SDK's decoder: a successful reply is
// scanned here and the SDK's decoder is handed an empty body, which it
// decodes as an empty output; any other reply passes through untouched.
type leanInstancesDeserializer struct {
	sdk middleware.DeserializeMiddleware
}

func (leanInstancesDeserializer) ID() string { return operationDeserializer }

func (m leanInstancesDeserializer) HandleDeserialize(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
	var lean *ec2.DescribeInstancesOutput
	var scanErr, readErr error
	scan := middleware.DeserializeHandlerFunc(func(ctx context.Context, in middleware.DeserializeInput) (middleware.DeserializeOutput, middleware.Metadata, error) {
		out, md, err := next.HandleDeserialize(ctx, in)
		resp, ok := out.RawResponse.(*smithyhttp.Response)
		if err != nil || !ok || resp.StatusCode < 200 || resp.StatusCode >= 300 {
			return out, md, err
		}
		body := &readRecorder{r: resp.Body}
		lean, scanErr = scanInstances(bufio.NewReaderSize(body, 32<<10))
		readErr = body.err
		// What is left of the body is read, so the connection can be reused.
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		resp.Body = emptyBody{}
		return out, md, nil
	})
	out, md, err := m.sdk.HandleDeserialize(ctx, in, scan)
	if err != nil {
		return out, md, err
	}
	if readErr != nil && ctx.Err() == nil {
		// The connection failed in the middle of the reply: a connection
		// error, which the SDK's retryer repeats (the call only reads), as it
		// does one that fails before the reply.
		return out, md, &smithyhttp.RequestSendError{Err: fmt.Errorf("reading the reply: %w", readErr)}
	}
	if scanErr != nil {
		return out, md, &smithy.DeserializationError{Err: fmt.Errorf("failed to decode response body, %w", scanErr)}
	}
	if lean != nil {
		out.Result = lean
	}
	return out, md, nil
}

// readRecorder keeps the first error reading r gave, other than io.EOF.
type readRecorder struct {
	r   io.Reader
	err error
}

func (rr *readRecorder) Read(p []byte) (int, error) {
	n, err := rr.r.Read(p)
	if err != nil && err != io.EOF && rr.err == nil {
		rr.err = err
	}
	return n, err
}

// emptyBody is an empty, closable body.
type emptyBody struct{}

func (emptyBody) Read([]byte) (int, error) { return 0, io.EOF }
func (emptyBody) Close() error             { return nil }

// The elements the scan follows, by local name; every other is otherElem.
const (
	otherElem uint8 = iota
	reservationSetElem
	instancesSetElem
	itemElem
	instanceIDElem
	imageIDElem
	launchTimeElem
	instanceStateElem
	codeElem
	nameElem
	tagSetElem
	keyElem
	valueElem
	nextTokenElem
	reservationIDElem
	ownerIDElem
)

func elemOf(local []byte) uint8 {
	switch string(local) {
	case "reservationSet":
		return reservationSetElem
	case "instancesSet":
		return instancesSetElem
	case "item":
		return itemElem
	case "instanceId":
		return instanceIDElem
	case "imageId":
		return imageIDElem
	case "launchTime":
		return launchTimeElem
	case "instanceState":
		return instanceStateElem
	case "code":
		return codeElem
	case "name":
		return nameElem
	case "tagSet":
		return tagSetElem
	case "key":
		return keyElem
	case "value":
		return valueElem
	case "nextToken":
		return nextTokenElem
	case "reservationId":
		return reservationIDElem
	case "ownerId":
		return ownerIDElem
	}
	return otherElem
}

// instancesScan is the state of one reply's scan: the open elements (the
// root first) and what is being filled.
type instancesScan struct {
	out   *ec2.DescribeInstancesOutput
	stack []uint8
	res   *ec2types.Reservation
	inst  *ec2types.Instance
	tag   *ec2types.Tag
	// textAt is the depth whose element's text was stored last (0 after
	// a start tag): an element kept that closes without text is "", as
	// the SDK reads it.
	textAt int
	// The output's many small values come from slabs, an allocation per
	// 256 rather than one each, and the strings an instance shares with
	// others (its AMI, its tags, its state) are one string each.
	strs      slab[string]
	times     slab[time.Time]
	codes     slab[int32]
	states    slab[ec2types.InstanceState]
	instances slab[ec2types.Instance]
	tags      slab[ec2types.Tag]
	interned  map[string]string
	unescaped []byte
}

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
// bound, so a hostile reply cannot grow the table without end).
func (s *instancesScan) intern(b []byte) string {
	if v, ok := s.interned[string(b)]; ok {
		return v
	}
	v := string(b)
	if len(s.interned) < 4096 {
		s.interned[v] = v
	}
	return v
}

// pathIs reports whether the open elements below the root are path.
func pathIs(stack, path []uint8) bool {
	if len(stack) != len(path)+1 {
		return false
	}
	for i, e := range path {
		if stack[i+1] != e {
			return false
		}
	}
	return true
}

// Paths below the root of the reply.
var (
	reservationPath = []uint8{reservationSetElem, itemElem}
	instancePath    = []uint8{reservationSetElem, itemElem, instancesSetElem, itemElem}
	statePath       = []uint8{reservationSetElem, itemElem, instancesSetElem, itemElem, instanceStateElem}
	tagPath         = []uint8{reservationSetElem, itemElem, instancesSetElem, itemElem, tagSetElem, itemElem}
)

func (s *instancesScan) start(e uint8) {
	s.stack = append(s.stack, e)
	s.textAt = 0
	if e == otherElem {
		return // most of a reply: nothing the scan keeps begins here
	}
	// A set that is present but empty is an empty slice, as the SDK reads it.
	switch {
	case e == reservationSetElem && len(s.stack) == 2:
		s.out.Reservations = make([]ec2types.Reservation, 0)
	case e == instancesSetElem && pathIs(s.stack[:len(s.stack)-1], reservationPath):
		s.res.Instances = make([]ec2types.Instance, 0)
	case e == tagSetElem && pathIs(s.stack[:len(s.stack)-1], instancePath):
		s.inst.Tags = make([]ec2types.Tag, 0)
	}
	switch {
	case pathIs(s.stack, reservationPath):
		s.out.Reservations = append(s.out.Reservations, ec2types.Reservation{})
		s.res = &s.out.Reservations[len(s.out.Reservations)-1]
	case pathIs(s.stack, instancePath):
		s.res.Instances = s.instances.grow(s.res.Instances)
		s.inst = &s.res.Instances[len(s.res.Instances)-1]
	case pathIs(s.stack, tagPath):
		s.inst.Tags = s.tags.grow(s.inst.Tags)
		s.tag = &s.inst.Tags[len(s.inst.Tags)-1]
	}
}

// wants reports whether the text of the innermost open element is kept.
func (s *instancesScan) wants() bool {
	n := len(s.stack)
	if n < 2 {
		return false
	}
	parent := s.stack[:n-1]
	switch s.stack[n-1] {
	case nextTokenElem:
		return len(parent) == 1
	case reservationIDElem, ownerIDElem:
		return pathIs(parent, reservationPath)
	case instanceIDElem, imageIDElem, launchTimeElem:
		return pathIs(parent, instancePath)
	case codeElem, nameElem:
		return pathIs(parent, statePath)
	case keyElem, valueElem:
		return pathIs(parent, tagPath)
	}
	return false
}

// text stores the text of the innermost open element, which wants keeps.
func (s *instancesScan) text(b []byte) error {
	switch s.stack[len(s.stack)-1] {
	case nextTokenElem:
		s.out.NextToken = s.strs.put(string(b))
	case reservationIDElem:
		s.res.ReservationId = s.strs.put(string(b))
	case ownerIDElem:
		s.res.OwnerId = s.strs.put(s.intern(b))
	case instanceIDElem:
		s.inst.InstanceId = s.strs.put(string(b))
	case imageIDElem:
		s.inst.ImageId = s.strs.put(s.intern(b))
	case launchTimeElem:
		t, err := smithytime.ParseDateTime(string(b))
		if err != nil {
			return fmt.Errorf("launchTime %q: %w", b, err)
		}
		s.inst.LaunchTime = s.times.put(t)
	case codeElem, nameElem:
		if s.inst.State == nil {
			s.inst.State = s.states.put(ec2types.InstanceState{})
		}
		if s.stack[len(s.stack)-1] == nameElem {
			s.inst.State.Name = ec2types.InstanceStateName(s.intern(b))
			break
		}
		code, err := strconv.ParseInt(string(b), 10, 32)
		if err != nil {
			return fmt.Errorf("instanceState code %q: %w", b, err)
		}
		s.inst.State.Code = s.codes.put(int32(code))
	case keyElem:
		s.tag.Key = s.strs.put(s.intern(b))
	case valueElem:
		s.tag.Value = s.strs.put(s.intern(b))
	}
	return nil
}

// end closes the innermost open element.
func (s *instancesScan) end() error {
	var err error
	if s.wants() && s.textAt != len(s.stack) {
		err = s.text(nil)
	}
	s.stack = s.stack[:len(s.stack)-1]
	s.textAt = 0
	return err
}

// scanInstances reads one DescribeInstances reply.
func scanInstances(r *bufio.Reader) (*ec2.DescribeInstancesOutput, error) {
	s := &instancesScan{out: &ec2.DescribeInstancesOutput{}, stack: make([]uint8, 0, 16), interned: map[string]string{}}
	x := xmlScanner{r: r}
	for {
		tok, err := x.next()
		if err == io.EOF && s.out.Reservations == nil && len(s.stack) == 0 {
			return s.out, nil // an empty body: an empty page, as the SDK reads it
		}
		if err == io.EOF {
			return nil, io.ErrUnexpectedEOF
		}
		if err != nil {
			return nil, err
		}
		// The text before the tag is the innermost open element's.
		if len(tok.before) > 0 && s.wants() {
			v := tok.before
			if bytes.IndexByte(v, '&') >= 0 {
				v, err = unescapeXML(s.unescaped[:0], v)
				s.unescaped = v[:0]
			}
			if err == nil {
				err = s.text(v)
			}
			if err != nil {
				return nil, err
			}
			s.textAt = len(s.stack)
		}
		switch {
		case tok.end && len(s.stack) == 0:
			return nil, fmt.Errorf("unexpected </%s>", tok.local)
		case tok.end:
			err = s.end()
		case !tok.selfClosing && len(s.stack) > 0 && elemOf(tok.local) == otherElem:
			// Nothing kept is inside an element the scan does not follow.
			err = x.skip()
		default:
			s.start(elemOf(tok.local))
			if tok.selfClosing {
				err = s.end()
			}
		}
		if err != nil {
			return nil, err
		}
		if len(s.stack) == 0 {
			return s.out, nil // the root is closed; the rest is not read
		}
	}
}
