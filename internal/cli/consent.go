package cli

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/callbase/callbase/internal/callbase"
	"github.com/callbase/callbase/internal/locate"
	"github.com/callbase/callbase/internal/numlist"
	"github.com/callbase/callbase/internal/store"
	"github.com/callbase/callbase/internal/when"
)

func newConsentCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "consent",
		Short: "Record consent to personal-data processing (pd) and advertising calls (ads), with evidence",
		Long: `Every consent event is kept with who recorded it, when, its source and evidence,
so a consent to advertising calls can be proved. The latest event of a scope is
in force; a grant with --expires lapses then.`,
	}
	for _, grant := range []bool{true, false} {
		var scope, source, evidence, at, expires, tz string
		verb := map[bool]string{true: "grant", false: "withdraw"}[grant]
		c := &cobra.Command{
			Use:   verb + " NUMBER... --scope pd|ads",
			Short: map[bool]string{true: "Record consent given", false: "Record consent withdrawn"}[grant],
			Example: map[bool]string{
				true:  `  callbase consent grant +79161234567 --scope ads --source "web form" --evidence "form #5521, 2026-11-27 10:02"`,
				false: `  callbase consent withdraw +79161234567 --scope ads --source call --evidence "call 2026-11-27, agent ivanova"`,
			}[grant],
			Args: usageArgs(1, "at least one NUMBER"),
			RunE: func(cmd *cobra.Command, args []string) error {
				ev := store.Consent{Scope: scope, Granted: grant, Source: source, Evidence: evidence, At: g.now, RecordedAt: g.now, Actor: g.actor()}
				if err := checkScope(scope); err != nil {
					return err
				}
				zone, err := zoneFlag(tz)
				if err != nil {
					return err
				}
				if at != "" {
					if ev.At, err = when.Parse(at, zone); err != nil {
						return callbase.Usagef("--at: %v", err)
					}
				}
				if expires != "" {
					if !grant {
						return callbase.Usagef("--expires goes with consent grant")
					}
					if ev.ExpiresAt, err = when.Parse(expires, zone); err != nil {
						return callbase.Usagef("--expires: %v", err)
					}
				}
				return g.consentArgs(cmd, args, ev)
			},
		}
		f := c.Flags()
		f.StringVar(&scope, "scope", "", "pd (personal data) or ads (advertising calls) (required)")
		f.StringVar(&source, "source", "", "where the consent was given or withdrawn (a web form, a call)")
		f.StringVar(&evidence, "evidence", "", "what proves it (a form id, a recording)")
		f.StringVar(&at, "at", "", "when it was given or withdrawn (default --now)")
		f.StringVar(&tz, "tz", "Europe/Moscow", "time zone of --at and --expires when they carry none")
		if grant {
			f.StringVar(&expires, "expires", "", "when the consent lapses (default never)")
		}
		cmd.AddCommand(c)
	}
	var lf listFlags
	imp := &cobra.Command{
		Use:   "import FILE...",
		Short: "Import consent records: number, scope, given or withdrawn, time, and source, evidence, expiry",
		Args:  usageArgs(1, "at least one FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			columns := []numlist.Column{
				{Role: "time", Required: true, Names: []string{"дата", "время", "дата и время", "date", "time", "at", "datetime"}},
				{Role: "scope", Required: true, Names: []string{"scope", "тип", "вид", "тип согласия", "цель"}},
				{Role: "consent", Required: true, Names: []string{"согласие", "consent", "действие", "action", "granted", "статус", "status"}},
				{Role: "expires", Names: []string{"действует до", "срок", "expires", "expires at", "valid until"}},
				{Role: "source", Names: []string{"источник", "source", "канал", "channel"}},
				{Role: "evidence", Names: []string{"доказательство", "основание", "evidence", "proof", "документ"}},
			}
			return g.importList(cmd.Context(), args, &lf, columns, "with consent recorded", true,
				func(tx *store.Tx, zone *time.Location, file string, row *numlist.Row, n store.Number) (bool, error) {
					scope := strings.ToLower(row.Cell("scope"))
					if checkScope(scope) != nil {
						return false, row.Reject("scope", "unknown_scope", fmt.Errorf("scope %q: want pd or ads", row.Cell("scope")))
					}
					granted, ok := consentWord(row.Cell("consent"))
					if !ok {
						return false, row.Reject("consent", "unknown_consent", fmt.Errorf("%q: want granted or withdrawn (да, нет, дано, отозвано)", row.Cell("consent")))
					}
					at, err := when.Parse(row.Cell("time"), zone)
					if err != nil {
						return false, row.Reject("time", "bad_time", err)
					}
					ev := store.Consent{Scope: scope, Granted: granted, At: at, Source: row.Cell("source"), Evidence: row.Cell("evidence"),
						Actor: g.actor(), RecordedAt: g.now}
					if ev.Source == "" {
						ev.Source = cause("consent import", file, row.Line)
					}
					if s := row.Cell("expires"); s != "" {
						if ev.ExpiresAt, err = when.Parse(s, zone); err != nil {
							return false, row.Reject("expires", "bad_time", err)
						}
					}
					if err := tx.EnsureNumber(cmd.Context(), n); err != nil {
						return false, err
					}
					return tx.AddConsent(cmd.Context(), n.Key, ev)
				})
		},
	}
	lf.add(imp)
	cmd.AddCommand(imp)
	return cmd
}

func checkScope(scope string) error {
	if scope != "pd" && scope != "ads" {
		return callbase.Usagef("--scope %q: want pd (personal data) or ads (advertising calls)", scope)
	}
	return nil
}

// consentWord reads whether a record grants or withdraws consent.
func consentWord(s string) (granted, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "да", "yes", "y", "1", "true", "granted", "grant", "given", "дано", "получено", "согласен", "согласие":
		return true, true
	case "нет", "no", "n", "0", "false", "withdrawn", "withdraw", "revoked", "отозвано", "отозван", "отзыв", "отказ":
		return false, true
	}
	return false, false
}

func (g *globals) consentArgs(cmd *cobra.Command, args []string, ev store.Consent) error {
	ctx := cmd.Context()
	var m marked
	err := g.inNewOrOldTx(ctx, func(tx *store.Tx, loc *locate.Locator) error {
		nums, err := g.numberArgs(args, loc)
		if err != nil {
			return err
		}
		for _, n := range nums {
			m.Numbers++
			err := tx.EnsureNumber(ctx, n)
			if errors.Is(err, store.ErrForgotten) {
				m.Forgotten++
				continue
			}
			if err != nil {
				return err
			}
			added, err := tx.AddConsent(ctx, n.Key, ev)
			if err != nil {
				return err
			}
			if added {
				m.Changed++
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return g.reportMarked(m, "recorded")
}
