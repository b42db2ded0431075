package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/callbase/callbase/internal/callbase"
	"github.com/callbase/callbase/internal/lifecycle"
	"github.com/callbase/callbase/internal/phone"
	"github.com/callbase/callbase/internal/store"
)

func newHistoryCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "history NUMBER",
		Short: "Show a number's status, bases, calls and every change of its status",
		Args:  usageArgs(1, "a NUMBER"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return callbase.Usagef("history takes one NUMBER, not %d", len(args))
			}
			return runHistory(cmd.Context(), g, args[0])
		},
	}
}

// historyJSON is history's --json output.
type historyJSON struct {
	Number      string            `json:"number"`
	Type        string            `json:"type"`
	Country     string            `json:"country"`
	Operator    string            `json:"operator"`
	Region      string            `json:"region"`
	Zones       string            `json:"zones"`
	Status      string            `json:"status"`
	DeadReason  string            `json:"dead_reason,omitempty"`
	Temperature string            `json:"temperature"`
	CallbackAt  string            `json:"callback_at,omitempty"`
	OptedOutAt  string            `json:"opted_out_at,omitempty"`
	DetachedAt  string            `json:"detached_at,omitempty"`
	Bases       []baseRowJSON     `json:"bases"`
	Calls       []callJSON        `json:"calls"`
	Events      []eventJSON       `json:"events"`
	Consents    []consentJSON     `json:"consents"`
	InForce     map[string]string `json:"consent_in_force"` // scope -> granted|withdrawn|expired, at --now
}

type consentJSON struct {
	Scope      string `json:"scope"`
	Granted    bool   `json:"granted"`
	At         string `json:"at"`
	ExpiresAt  string `json:"expires_at,omitempty"`
	Source     string `json:"source,omitempty"`
	Evidence   string `json:"evidence,omitempty"`
	Actor      string `json:"actor"`
	RecordedAt string `json:"recorded_at"`
}

type baseRowJSON struct {
	Base   string            `json:"base"`
	Line   int               `json:"line"`
	Fields map[string]string `json:"fields"`
}

type callJSON struct {
	At         string `json:"at"`
	Outcome    string `json:"outcome"`
	Agent      string `json:"agent,omitempty"`
	Duration   int    `json:"duration,omitempty"`
	CallbackAt string `json:"callback_at,omitempty"`
	Note       string `json:"note,omitempty"`
	Source     string `json:"source"`
}

type eventJSON struct {
	At     string `json:"at"`
	What   string `json:"what"`
	Detail string `json:"detail,omitempty"`
	Cause  string `json:"cause"`
	Actor  string `json:"actor"`
}

func runHistory(ctx context.Context, g *globals, arg string) error {
	n, err := g.numberArg(arg, nil)
	if err != nil {
		return err
	}
	st, err := store.OpenExisting(ctx, g.db)
	if err != nil {
		return err
	}
	defer st.Close()
	h, ok, err := st.History(ctx, n.Key)
	if err != nil {
		return err
	}
	e164 := fmt.Sprintf("+%d", n.Key)
	if !ok {
		if forgotten, err := st.IsForgotten(ctx, n.Key); err != nil || forgotten {
			if forgotten {
				fmt.Fprintf(g.stdout, "%s was forgotten at its owner's request: nothing is kept but a keyed hash, and it is never callable\n", e164)
			}
			return err
		}
		return callbase.Usagef("the database does not know %s", e164)
	}
	out := historyJSON{Number: e164, Type: h.Type, Country: h.Country, Operator: h.Operator, Region: h.Region,
		Zones: h.Zones, Status: h.State.Status, DeadReason: h.State.DeadReason, Temperature: h.State.Temperature,
		CallbackAt: optTime(h.State.CallbackAt), OptedOutAt: optTime(h.State.OptedOutAt), DetachedAt: optTime(h.State.DetachedAt),
		Bases: []baseRowJSON{}, Calls: []callJSON{}, Events: []eventJSON{}, Consents: []consentJSON{}, InForce: map[string]string{}}
	for _, c := range h.Consents {
		out.Consents = append(out.Consents, consentJSON{Scope: c.Scope, Granted: c.Granted, At: optTime(c.At), ExpiresAt: optTime(c.ExpiresAt),
			Source: c.Source, Evidence: c.Evidence, Actor: c.Actor, RecordedAt: optTime(c.RecordedAt)})
	}
	for _, scope := range []string{"pd", "ads"} {
		c, ok := lifecycle.ConsentInForce(h.Consents, scope, g.now)
		switch {
		case ok && c.Granted:
			out.InForce[scope] = "granted"
		case ok:
			out.InForce[scope] = "withdrawn"
		case c.Granted:
			out.InForce[scope] = "expired"
		}
	}
	for _, m := range h.Bases {
		b := baseRowJSON{Base: m.Base, Line: m.Row.Line, Fields: map[string]string{}}
		for i, f := range m.Row.Fields {
			if i < len(m.Header) && f != "" {
				b.Fields[m.Header[i]] = f
			}
		}
		out.Bases = append(out.Bases, b)
	}
	for _, c := range h.Calls {
		out.Calls = append(out.Calls, callJSON{At: optTime(c.At), Outcome: c.Outcome, Agent: c.Agent, Duration: c.Duration,
			CallbackAt: optTime(c.CallbackAt), Note: c.Note, Source: c.Source})
	}
	for _, e := range h.Events {
		out.Events = append(out.Events, eventJSON{At: optTime(e.At), What: e.What, Detail: e.Detail, Cause: e.Cause, Actor: e.Actor})
	}
	if g.json {
		return writeJSON(g.stdout, out)
	}
	w := g.stdout
	nz, _ := phone.NewNormalizer(g.region)
	fmt.Fprintf(w, "%s  %s\n", e164, nz.Readable(e164))
	fmt.Fprintf(w, "  %s, %s; %s\n", h.Type, h.Country, strings.Join(nonEmpty(h.Operator, h.Region, h.Zones), "; "))
	status := h.State.Status
	if h.State.DeadReason != "" {
		status += " (" + h.State.DeadReason + ")"
	}
	fmt.Fprintf(w, "  status      %s, %s\n", status, h.State.Temperature)
	if out.CallbackAt != "" {
		fmt.Fprintf(w, "  callback    due %s\n", out.CallbackAt)
	}
	if out.OptedOutAt != "" {
		fmt.Fprintf(w, "  opted out   since %s: never callable\n", out.OptedOutAt)
	}
	if out.DetachedAt != "" {
		fmt.Fprintf(w, "  detached    since %s: the rows' names are not this number's owner's\n", out.DetachedAt)
	}
	for _, scope := range []string{"pd", "ads"} {
		if v := out.InForce[scope]; v != "" {
			fmt.Fprintf(w, "  consent     %s %s\n", scope, v)
		}
	}
	fmt.Fprintf(w, "bases (%d)\n", len(out.Bases))
	for _, b := range h.Bases {
		var fields []string
		for i, f := range b.Row.Fields {
			if i < len(b.Header) && f != "" {
				fields = append(fields, b.Header[i]+": "+f)
			}
		}
		fmt.Fprintf(w, "  %s, row %d: %s\n", b.Base, b.Row.Line, strings.Join(fields, "; "))
	}
	fmt.Fprintf(w, "calls (%d)\n", len(out.Calls))
	for _, c := range out.Calls {
		fmt.Fprintf(w, "  %s  %-14s %s\n", c.At, c.Outcome, strings.Join(nonEmpty(c.Agent, durationText(c.Duration),
			prefixed("callback ", c.CallbackAt), c.Note, "from "+c.Source), "; "))
	}
	fmt.Fprintf(w, "consent events (%d)\n", len(out.Consents))
	for _, c := range out.Consents {
		verb := map[bool]string{true: "granted", false: "withdrawn"}[c.Granted]
		fmt.Fprintf(w, "  %s  %s %s  %s\n", c.At, c.Scope, verb, strings.Join(nonEmpty(prefixed("expires ", c.ExpiresAt),
			prefixed("source ", c.Source), prefixed("evidence ", c.Evidence), "recorded by "+c.Actor+" at "+c.RecordedAt), "; "))
	}
	fmt.Fprintf(w, "events (%d)\n", len(out.Events))
	for _, e := range out.Events {
		fmt.Fprintf(w, "  %s  %-11s %s\n", e.At, e.What, strings.Join(nonEmpty(e.Detail, "by "+e.Actor, e.Cause), "; "))
	}
	return nil
}

func optTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func nonEmpty(s ...string) []string {
	var out []string
	for _, x := range s {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}

func prefixed(p, s string) string {
	if s == "" {
		return ""
	}
	return p + s
}

func durationText(sec int) string {
	if sec == 0 {
		return ""
	}
	return (time.Duration(sec) * time.Second).String()
}
