package e2e

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"
)

// dnsLogEnv names a file: when set, the winami under test refuses every DNS
// lookup (names in /etc/hosts, such as localhost, still resolve) and appends
// the name asked for to that file. Scripts use it to prove that a command
// sends nothing off the machine: every off-machine request starts with a
// lookup, and none may happen.
const dnsLogEnv = "WINAMI_E2E_DNS_LOG"

// refuseDNS installs the refusing resolver when dnsLogEnv is set.
func refuseDNS() {
	path := os.Getenv(dnsLogEnv)
	if path == "" {
		return
	}
	net.DefaultResolver = &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
			return &refusingConn{log: path, tcp: strings.HasPrefix(network, "tcp")}, nil
		},
	}
}

var errRefused = errors.New("e2e: DNS lookups are refused in this scenario (nothing may leave the machine)")

// refusingConn takes the resolver's query, logs the name asked for and
// fails the exchange.
type refusingConn struct {
	log string
	tcp bool
}

func (c *refusingConn) Write(b []byte) (int, error) {
	if c.tcp && len(b) > 2 {
		b = b[2:] // DNS over TCP prefixes the message with its length
	}
	if f, err := os.OpenFile(c.log, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
		fmt.Fprintln(f, queryName(b))
		_ = f.Close()
	}
	return 0, errRefused
}

// queryName reads the first question's name of a DNS message.
func queryName(msg []byte) string {
	var labels []string
	for i := 12; i < len(msg); {
		n := int(msg[i])
		if n == 0 || i+1+n > len(msg) {
			break
		}
		labels = append(labels, string(msg[i+1:i+1+n]))
		i += 1 + n
	}
	if len(labels) == 0 {
		return "(unreadable query)"
	}
	return strings.Join(labels, ".")
}

func (c *refusingConn) Read([]byte) (int, error)         { return 0, errRefused }
func (c *refusingConn) Close() error                     { return nil }
func (c *refusingConn) LocalAddr() net.Addr              { return &net.UDPAddr{} }
func (c *refusingConn) RemoteAddr() net.Addr             { return &net.UDPAddr{} }
func (c *refusingConn) SetDeadline(time.Time) error      { return nil }
func (c *refusingConn) SetReadDeadline(time.Time) error  { return nil }
func (c *refusingConn) SetWriteDeadline(time.Time) error { return nil }
