package cli

import (
	"context"
	"fmt"
	"slices"

	"github.com/spf13/cobra"

	"github.com/callbase/callbase/internal/callbase"
	"github.com/callbase/callbase/internal/calllist"
	"github.com/callbase/callbase/internal/policy"
	"github.com/callbase/callbase/internal/store"
)

func newWhyCmd(g *globals) *cobra.Command {
	o := &exportOptions{}
	cmd := &cobra.Command{
		Use:   "why NUMBER",
		Short: "Every calling rule's verdict on a number, base by base, with the fact behind it",
		Long: `why tells, for each base holding the number, whether export would put it on a list
at --now, and every rule's verdict with its fact: status, opt-out, consent,
lease, rest, cycle, protection and, with --window, the calling window.`,
		Example: `  callbase why "+7 914 123-45-67" --window 09:00-21:00`,
		Args:    usageArgs(1, "a NUMBER"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return callbase.Usagef("why takes one NUMBER, not %d", len(args))
			}
			return runWhy(cmd.Context(), g, args[0], o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.window, "window", "", "judge against this calling window, HH:MM-HH:MM")
	f.StringVar(&o.unknownZone, "unknown-zone", "exclude", "with --window, numbers of unknown zone: exclude or include")
	f.StringVar(&o.requireConsent, "require-consent", "", "judge as a list requiring this consent: ads")
	f.StringVar(&o.tz, "tz", "Europe/Moscow", "the zone whose day bounds due callbacks")
	return cmd
}

type whyBase struct {
	Base     string           `json:"base"`
	Callable bool             `json:"callable"`
	Verdicts []policy.Verdict `json:"verdicts"`
}

type whyResult struct {
	Number    string    `json:"number"`
	Known     bool      `json:"known"`
	Forgotten bool      `json:"forgotten"`
	Callable  bool      `json:"callable"` // from at least one base
	Bases     []whyBase `json:"bases"`
}

func runWhy(ctx context.Context, g *globals, arg string, o *exportOptions) error {
	n, err := g.numberArg(arg, nil)
	if err != nil {
		return err
	}
	r, _, err := o.request(g.now)
	if err != nil {
		return err
	}
	res := whyResult{Number: fmt.Sprintf("+%d", n.Key), Bases: []whyBase{}}
	st, err := store.OpenExisting(ctx, g.db)
	if err != nil {
		return err
	}
	defer st.Close()
	if res.Forgotten, err = st.IsForgotten(ctx, n.Key); err != nil {
		return err
	}
	tx, err := st.Read(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := calllist.Rules(ctx, tx, &r); err != nil {
		return err
	}
	ids, err := tx.BasesOf(ctx, n.Key)
	if err != nil {
		return err
	}
	all, err := tx.Bases(ctx)
	if err != nil {
		return err
	}
	for _, b := range all {
		if !slices.Contains(ids, b.ID) {
			continue
		}
		err := tx.Candidates(ctx, b, g.now, n.Key, func(c *store.Candidate) error {
			v := policy.Check(calllist.PolicyNumber(c), calllist.PolicyBase(b), r)
			wb := whyBase{Base: b.Name, Callable: policy.Callable(v), Verdicts: v}
			res.Callable = res.Callable || wb.Callable
			res.Bases = append(res.Bases, wb)
			return nil
		})
		if err != nil {
			return err
		}
	}
	if _, res.Known, err = tx.State(ctx, n.Key); err != nil {
		return err
	}
	if g.json {
		return writeJSON(g.stdout, res)
	}
	w := g.stdout
	switch {
	case res.Forgotten:
		fmt.Fprintf(w, "%s: not callable: forgotten at its owner's request\n", res.Number)
		return nil
	case !res.Known:
		fmt.Fprintf(w, "%s: not callable: the database does not know it\n", res.Number)
		return nil
	case len(res.Bases) == 0:
		fmt.Fprintf(w, "%s: not callable: it is in no base (known from calls, lists or consent only)\n", res.Number)
		return nil
	}
	verdict := map[bool]string{true: "callable", false: "not callable"}
	fmt.Fprintf(w, "%s: %s at %s\n", res.Number, verdict[res.Callable], optTime(g.now))
	for _, b := range res.Bases {
		fmt.Fprintf(w, "base %s: %s\n", b.Base, verdict[b.Callable])
		for _, v := range b.Verdicts {
			mark := "ok "
			if !v.OK {
				mark = "NO "
			}
			fmt.Fprintf(w, "  %s %-10s %s\n", mark, v.Rule+":", v.Fact)
		}
	}
	return nil
}
