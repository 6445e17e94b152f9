package app

import (
	"net"
	"net/http"
	"sync"
)

// connCounter follows the state of every connection of a server, so that a shutdown
// that has to cut connections can say how many and in which state.
type connCounter struct {
	mu    sync.Mutex
	state map[net.Conn]http.ConnState
}

// track is the server's ConnState hook.
func (c *connCounter) track(conn net.Conn, st http.ConnState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state == nil {
		c.state = map[net.Conn]http.ConnState{}
	}
	switch st {
	case http.StateClosed, http.StateHijacked:
		delete(c.state, conn)
	default:
		c.state[conn] = st
	}
}

// open counts the connections still open: active (a request being read or answered,
// or a new connection that has not sent one yet) and idle (between requests).
func (c *connCounter) open() (active, idle int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.state {
		if st == http.StateIdle {
			idle++
		} else {
			active++
		}
	}
	return active, idle
}
