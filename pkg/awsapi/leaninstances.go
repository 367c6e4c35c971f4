package awsapi

import (
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
		lean, scanErr = scanInstances(body, 64<<10)
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
	out    *ec2.DescribeInstancesOutput
	stack  []uint8
	wanted []bool // by depth, as stack: whether the element's text is kept
	res    *ec2types.Reservation
	inst   *leanInstance
	tag    *ec2types.Tag
	// batch is the instances of the reservation being read, copied to
	// the output, all at once, when its set closes: an ec2types.Instance
	// is 712 bytes, too many to move as a set grows.
	batch []leanInstance
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
	recent    [256]string // interned strings by a cheap hash: see intern
	arena     strArena
	unescaped []byte
}

// leanInstance is what the scan keeps of an instance.
type leanInstance struct {
	id, image *string
	launch    *time.Time
	state     *ec2types.InstanceState
	tags      []ec2types.Tag
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
		s.wanted = append(s.wanted, false)
		return // most of a reply: nothing the scan keeps begins here
	}
	s.wanted = append(s.wanted, s.findWants())
	// A set that is present but empty is an empty slice, as the SDK reads it.
	switch {
	case e == reservationSetElem && len(s.stack) == 2:
		s.out.Reservations = make([]ec2types.Reservation, 0)
	case e == instancesSetElem && pathIs(s.stack[:len(s.stack)-1], reservationPath):
		s.batch = s.batch[:0]
	case e == tagSetElem && pathIs(s.stack[:len(s.stack)-1], instancePath):
		s.inst.tags = make([]ec2types.Tag, 0)
	}
	switch {
	case pathIs(s.stack, reservationPath):
		s.out.Reservations = append(s.out.Reservations, ec2types.Reservation{})
		s.res = &s.out.Reservations[len(s.out.Reservations)-1]
	case pathIs(s.stack, instancePath):
		s.batch = append(s.batch, leanInstance{})
		s.inst = &s.batch[len(s.batch)-1]
	case pathIs(s.stack, tagPath):
		s.inst.tags = s.tags.grow(s.inst.tags)
		s.tag = &s.inst.tags[len(s.inst.tags)-1]
	}
}

// endInstances puts the reservation's instances, read in full, in the
// output.
func (s *instancesScan) endInstances() {
	run := s.instances.take(len(s.batch))
	for i := range s.batch {
		in, li := &run[i], &s.batch[i]
		in.InstanceId, in.ImageId, in.LaunchTime, in.State, in.Tags = li.id, li.image, li.launch, li.state, li.tags
	}
	s.res.Instances = run
}

// wants reports whether the text of the innermost open element is kept.
func (s *instancesScan) wants() bool {
	return len(s.wanted) > 0 && s.wanted[len(s.wanted)-1]
}

// findWants is wants, for start to note in wanted.
func (s *instancesScan) findWants() bool {
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
		s.out.NextToken = s.strs.put(s.arena.str(b))
	case reservationIDElem:
		s.res.ReservationId = s.strs.put(s.arena.str(b))
	case ownerIDElem:
		s.res.OwnerId = s.strs.put(s.intern(b))
	case instanceIDElem:
		s.inst.id = s.strs.put(s.arena.str(b))
	case imageIDElem:
		s.inst.image = s.strs.put(s.intern(b))
	case launchTimeElem:
		t, err := parseLaunchTime(b)
		if err != nil {
			return fmt.Errorf("launchTime %q: %w", b, err)
		}
		s.inst.launch = s.times.put(t)
	case codeElem, nameElem:
		if s.inst.state == nil {
			s.inst.state = s.states.put(ec2types.InstanceState{})
		}
		if s.stack[len(s.stack)-1] == nameElem {
			s.inst.state.Name = ec2types.InstanceStateName(s.intern(b))
			break
		}
		code, err := strconv.ParseInt(string(b), 10, 32)
		if err != nil {
			return fmt.Errorf("instanceState code %q: %w", b, err)
		}
		s.inst.state.Code = s.codes.put(int32(code))
	case keyElem:
		s.tag.Key = s.strs.put(s.intern(b))
	case valueElem:
		s.tag.Value = s.strs.put(s.intern(b))
	}
	return nil
}

// takeText stores v, the escaped text of the innermost open element,
// which wants keeps.
func (s *instancesScan) takeText(v []byte) error {
	if len(v) == 0 {
		return nil // end stores "" for an element closed without text
	}
	var err error
	if bytes.IndexByte(v, '&') >= 0 {
		if v, err = unescapeXML(s.unescaped[:0], v); err != nil {
			return err
		}
		s.unescaped = v[:0]
	}
	if err = s.text(v); err != nil {
		return err
	}
	s.textAt = len(s.stack)
	return nil
}

// leaf reports whether the innermost open element is one whose text is
// kept: text alone, in a reply as EC2 writes it.
func (s *instancesScan) leaf() bool {
	switch s.stack[len(s.stack)-1] {
	case otherElem, reservationSetElem, instancesSetElem, itemElem, instanceStateElem, tagSetElem:
		return false
	}
	return s.wants()
}

// end closes the innermost open element.
func (s *instancesScan) end() error {
	var err error
	if s.wants() && s.textAt != len(s.stack) {
		err = s.text(nil)
	}
	n := len(s.stack) - 1
	if s.stack[n] == instancesSetElem && pathIs(s.stack[:n], reservationPath) {
		s.endInstances()
	}
	s.stack, s.wanted = s.stack[:n], s.wanted[:n]
	s.textAt = 0
	return err
}

// scanInstances reads one DescribeInstances reply.
func scanInstances(body io.Reader, window int) (*ec2.DescribeInstancesOutput, error) {
	s := &instancesScan{out: &ec2.DescribeInstancesOutput{}, stack: make([]uint8, 0, 16), wanted: make([]bool, 0, 16), interned: map[string]string{}}
	x := newXMLScanner(body, window)
	for {
		err := x.next()
		tok := &x.tag
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
		if v := x.tagText(); len(v) > 0 && s.wants() {
			if err = s.takeText(v); err != nil {
				return nil, err
			}
		}
		switch {
		case tok.end && len(s.stack) == 0:
			return nil, fmt.Errorf("unexpected </%s>", x.tagLocal())
		case tok.end:
			err = s.end()
		case !tok.selfClosing && len(s.stack) > 0 && elemOf(x.tagLocal()) == otherElem:
			// Nothing kept is inside an element the scan does not follow.
			if _, ok := x.leafText(); !ok {
				err = x.skip()
			}
		default:
			s.start(elemOf(x.tagLocal()))
			if tok.selfClosing {
				err = s.end()
			} else if !s.leaf() {
				break
			} else if v, ok := x.leafText(); ok {
				// Most kept elements are text and their end tag: read at once.
				if err = s.takeText(v); err == nil {
					err = s.end()
				}
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
