package main

// Hits per call for each kind of call, and each probe's BPF run time: one
// round per kind with --probe-stats, one tool per traced side so that each
// side's probes (some are shared by both sides) are counted apart. The
// HTTP kinds run h2server against this driver's own GET loop (-getloop).

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"syscall"
	"time"
)

// streamMsgs is grpcload's -msgs default: messages per streaming direction.
const streamMsgs = 3

// httpKinds: h2server's flags for each HTTP kind (the kind is also the
// -getloop-proto).
var httpKinds = map[string][]string{"h2": {"-tls"}, "h2c": {"-h2c"}, "h1": nil}

type kindSide struct {
	Side         string      `json:"side"`
	Hits         int64       `json:"hits"`
	HitsPerCall  float64     `json:"hits_per_call"`
	BPFNsPerCall *float64    `json:"bpf_ns_per_call"` // null: a probe's BPF time unknown
	Probes       []probeStat `json:"probes"`
}

type kindRow struct {
	Name        string      `json:"name"`
	Kind        string      `json:"kind"`
	Concurrency int         `json:"concurrency"`
	Calls       int64       `json:"calls"` // made while attached, warm-up included
	Round       roundResult `json:"round"`
	Sides       []kindSide  `json:"sides"`
	Err         string      `json:"error,omitempty"`
}

// runKinds measures every kind of call, one --probe-stats round each.
func runKinds() []*kindRow {
	type spec struct {
		name, kind, side string
		conc             int
	}
	specs := []spec{
		{"unary", "unary", "both", 1},
		{"unary, 32 in flight", "unary", "server", 32},
		{fmt.Sprintf("client-streaming (%d msgs)", streamMsgs), "client-stream", "both", 1},
		{fmt.Sprintf("server-streaming (%d msgs)", streamMsgs), "server-stream", "both", 1},
		{fmt.Sprintf("bidi-streaming (%d each way)", streamMsgs), "bidi", "both", 1},
		{"HTTP/2, net/http, TLS", "h2", "both", 1},
		{"HTTP/2, x/net h2c", "h2c", "both", 1},
		{"HTTP/1.1", "h1", "both", 1},
	}
	var rows []*kindRow
	for _, sp := range specs {
		logf("hits per call: %s", sp.name)
		r := &kindRow{Name: sp.name, Kind: sp.kind, Concurrency: sp.conc}
		rows = append(rows, r)
		c := roundCfg{side: sp.side, split: true, kind: sp.kind, conc: sp.conc, dur: *roundDur, warmup: *warmupDur,
			flags: []string{"--probe-stats"}}
		if srvFlags, ok := httpKinds[sp.kind]; ok {
			srv, addr, err := startServer(h2ServerPath, srvFlags...)
			if err != nil {
				r.Err = err.Error()
				note("%s: %v", sp.name, err)
				continue
			}
			c.addr, c.srvPID = addr, srv.pid()
			c.flags = append(c.flags, "--protocol", "all")
			rr, err := runRound(c)
			srv.stop(syscall.SIGTERM, 5*time.Second)
			r.finish(rr, err)
			continue
		}
		r.finish(runRound(c))
	}
	return rows
}

func (r *kindRow) finish(rr roundResult, err error) {
	r.Round = rr
	if err != nil {
		r.Err = err.Error()
		note("%s: %v", r.Name, err)
		return
	}
	r.Calls = rr.Load.total()
	for _, side := range []string{"server", "client"} {
		s := rr.SideSums[side]
		if s == nil {
			continue
		}
		ks := kindSide{Side: side, Hits: s.ProbeHits, Probes: s.Probes}
		if len(s.Probes) > 0 {
			ks.Hits = 0
			ns, known := 0.0, true
			for _, p := range s.Probes {
				ks.Hits += p.Hits
				if p.Hits == 0 {
					continue
				}
				if p.BPFNsPerHit == nil {
					known = false
					continue
				}
				ns += float64(p.Hits) * *p.BPFNsPerHit
			}
			if known && r.Calls > 0 {
				v := ns / float64(r.Calls)
				ks.BPFNsPerCall = &v
			}
		}
		if r.Calls > 0 {
			ks.HitsPerCall = float64(ks.Hits) / float64(r.Calls)
		}
		r.Sides = append(r.Sides, ks)
	}
}

func (r *kindRow) side(name string) *kindSide {
	for i := range r.Sides {
		if r.Sides[i].Side == name {
			return &r.Sides[i]
		}
	}
	return nil
}

// getLoopMain is the HTTP load generator: one connection, sequential GETs
// of /hello for -warmup then -round, then grpcload's JSON line.
func getLoopMain() int {
	tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, MaxIdleConnsPerHost: 1}
	scheme, major := "http", 2
	switch *getLoopProto {
	case "h1":
		major = 1
	case "h2":
		scheme, tr.ForceAttemptHTTP2 = "https", true
	case "h2c":
		tr.Protocols = new(http.Protocols)
		tr.Protocols.SetUnencryptedHTTP2(true)
	default:
		fmt.Fprintf(os.Stderr, "bench: -getloop-proto %q: want h1, h2 or h2c\n", *getLoopProto)
		return 2
	}
	if *getLoopWait != "" {
		for {
			if _, err := os.Stat(*getLoopWait); err == nil {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	url := scheme + "://" + *getLoop + "/hello"
	var res loadResult
	var lats []float64
	start := time.Now()
	measureFrom := start.Add(*warmupDur)
	end := measureFrom.Add(*roundDur)
	for {
		t0 := time.Now()
		if !t0.Before(end) {
			break
		}
		resp, err := client.Get(url)
		if err == nil {
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if err == nil && (resp.StatusCode != 200 || resp.ProtoMajor != major) {
				err = fmt.Errorf("%s %d, want HTTP/%d 200", resp.Proto, resp.StatusCode, major)
			}
		}
		if err != nil {
			if res.Errors == 0 {
				res.FirstError = err.Error()
			}
			res.Errors++
			continue
		}
		if t0.Before(measureFrom) {
			res.WarmupCalls++
			continue
		}
		lats = append(lats, float64(time.Since(t0).Nanoseconds())/1e3)
	}
	measured := time.Since(measureFrom).Seconds()
	sort.Float64s(lats)
	res.Calls = int64(len(lats))
	res.DurationS = measured
	if len(lats) > 0 {
		res.QPS = float64(len(lats)) / measured
		res.P50us = lats[len(lats)/2]
		res.P99us = lats[int(0.99*float64(len(lats)-1)+0.5)]
		res.MeanUs = mean(lats)
	}
	json.NewEncoder(os.Stdout).Encode(res)
	if res.Errors > 0 {
		return 1
	}
	return 0
}
