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
// encoding/xml, took 47 µs per instance (this scan: 2.3; see
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

// Where the scan is, as the open elements' path from the root: a state
// for each place the scan fills something in, and noState for any other.
// A leaf state (from nextTokenState on) is an element whose text is kept.
const (
	noState uint8 = iota
	rootState
	reservationSetState // root/reservationSet
	reservationState    // .../item
	instancesSetState   // .../instancesSet
	instanceState       // .../item
	stateState          // .../instanceState
	tagSetState         // .../tagSet
	tagState            // .../item
	nextTokenState      // root/nextToken
	reservationIDState
	ownerIDState
	instanceIDState
	imageIDState
	launchTimeState
	codeState
	nameState
	keyState
	valueState
	numStates
)

// The local names of the elements the scan follows; every other is
// otherElem.
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
	numElems
)

func elemOf(local []byte) uint8 {
	switch string(local) {
	case "item":
		return itemElem
	case "key":
		return keyElem
	case "value":
		return valueElem
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
	case "reservationSet":
		return reservationSetElem
	case "instancesSet":
		return instancesSetElem
	case "nextToken":
		return nextTokenElem
	case "reservationId":
		return reservationIDElem
	case "ownerId":
		return ownerIDElem
	}
	return otherElem
}

// stateAfter is the state inside an element opened in a state, by its
// local name; noState for all but these.
var stateAfter = func() (t [numStates][numElems]uint8) {
	for _, m := range []struct{ in, elem, to uint8 }{
		{rootState, reservationSetElem, reservationSetState}, {rootState, nextTokenElem, nextTokenState},
		{reservationSetState, itemElem, reservationState},
		{reservationState, reservationIDElem, reservationIDState}, {reservationState, ownerIDElem, ownerIDState},
		{reservationState, instancesSetElem, instancesSetState},
		{instancesSetState, itemElem, instanceState},
		{instanceState, instanceIDElem, instanceIDState}, {instanceState, imageIDElem, imageIDState},
		{instanceState, launchTimeElem, launchTimeState}, {instanceState, instanceStateElem, stateState},
		{instanceState, tagSetElem, tagSetState},
		{stateState, codeElem, codeState}, {stateState, nameElem, nameState},
		{tagSetState, itemElem, tagState},
		{tagState, keyElem, keyState}, {tagState, valueElem, valueState},
	} {
		t[m.in][m.elem] = m.to
	}
	return t
}()

// instancesScan is the state of one reply's scan: the states of the open
// elements (the root first) and what is being filled.
type instancesScan struct {
	out   *ec2.DescribeInstancesOutput
	stack []uint8
	res   *ec2types.Reservation
	inst  *leanInstance
	tag   *ec2types.Tag
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

// top is the state of the innermost open element (noState before the root).
func (s *instancesScan) top() uint8 {
	if len(s.stack) == 0 {
		return noState
	}
	return s.stack[len(s.stack)-1]
}

// into is the state inside an element named local opened now.
func (s *instancesScan) into(local []byte) uint8 {
	if len(s.stack) == 0 {
		return rootState
	}
	if top := s.top(); top != noState {
		return stateAfter[top][elemOf(local)]
	}
	return noState
}

// start opens an element in state st, as into gave it.
func (s *instancesScan) start(st uint8) {
	s.stack = append(s.stack, st)
	s.textAt = 0
	// A set that is present but empty is an empty slice, as the SDK reads it.
	switch st {
	case reservationSetState:
		s.out.Reservations = make([]ec2types.Reservation, 0)
	case reservationState:
		s.out.Reservations = append(s.out.Reservations, ec2types.Reservation{})
		s.res = &s.out.Reservations[len(s.out.Reservations)-1]
	case instancesSetState:
		s.batch = s.batch[:0]
	case instanceState:
		s.batch = append(s.batch, leanInstance{})
		s.inst = &s.batch[len(s.batch)-1]
	case tagSetState:
		s.inst.tags = make([]ec2types.Tag, 0)
	case tagState:
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
func (s *instancesScan) wants() bool { return s.top() >= nextTokenState }

// text stores the text of the innermost open element, which wants keeps.
func (s *instancesScan) text(b []byte) error {
	switch s.top() {
	case nextTokenState:
		s.out.NextToken = s.strs.put(s.arena.str(b))
	case reservationIDState:
		s.res.ReservationId = s.strs.put(s.arena.str(b))
	case ownerIDState:
		s.res.OwnerId = s.strs.put(s.intern(b))
	case instanceIDState:
		s.inst.id = s.strs.put(s.arena.str(b))
	case imageIDState:
		s.inst.image = s.strs.put(s.intern(b))
	case launchTimeState:
		t, err := parseLaunchTime(b)
		if err != nil {
			return fmt.Errorf("launchTime %q: %w", b, err)
		}
		s.inst.launch = s.times.put(t)
	case codeState, nameState:
		if s.inst.state == nil {
			s.inst.state = s.states.put(ec2types.InstanceState{})
		}
		if s.top() == nameState {
			s.inst.state.Name = ec2types.InstanceStateName(s.intern(b))
			break
		}
		// Read as the SDK reads it: any int64, cut to 32 bits.
		code, err := strconv.ParseInt(string(b), 10, 64)
		if err != nil {
			return fmt.Errorf("instanceState code %q: %w", b, err)
		}
		s.inst.state.Code = s.codes.put(int32(code))
	case keyState:
		s.tag.Key = s.strs.put(s.intern(b))
	case valueState:
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

// end closes the innermost open element.
func (s *instancesScan) end() error {
	var err error
	if s.wants() && s.textAt != len(s.stack) {
		err = s.text(nil)
	}
	if s.top() == instancesSetState {
		s.endInstances()
	}
	s.stack = s.stack[:len(s.stack)-1]
	s.textAt = 0
	return err
}

// scanInstances reads one DescribeInstances reply.
func scanInstances(body io.Reader, window int) (*ec2.DescribeInstancesOutput, error) {
	s := &instancesScan{out: &ec2.DescribeInstancesOutput{}, stack: make([]uint8, 0, 16), interned: map[string]string{}}
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
		if tok.end {
			if len(s.stack) == 0 {
				return nil, fmt.Errorf("unexpected </%s>", x.tagLocal())
			}
			if err = s.end(); err != nil {
				return nil, err
			}
			if len(s.stack) == 0 {
				return s.out, nil // the root is closed; the rest is not read
			}
			continue
		}
		st := s.into(x.tagLocal())
		switch {
		case tok.selfClosing:
			s.start(st)
			err = s.end()
		case st == noState:
			// Nothing kept is inside an element the scan does not follow.
			if _, ok := x.leafText(); !ok {
				err = x.skip()
			}
		default:
			s.start(st)
			if !s.wants() {
				break
			}
			// Most kept elements are text and their end tag: read at once.
			if v, ok := x.leafText(); ok {
				if err = s.takeText(v); err == nil {
					err = s.end()
				}
			}
		}
		if err != nil {
			return nil, err
		}
		if len(s.stack) == 0 {
			return s.out, nil // a self-closing root
		}
	}
}
