package export

// RejectsHeader is the header of every rejects report.
var RejectsHeader = []string{"file", "sheet", "row", "column", "text", "reason"}

// Reject is one line of a rejects report: a piece of a phone cell that is
// not a number, where it stood, and why.
type Reject struct {
	File, Sheet string
	Row         int
	Column      string
	Text        string
	Reason      string
}

// WriteReject adds r to a table started with RejectsHeader.
func (t *Table) WriteReject(r Reject) error {
	return t.Row([]any{r.File, r.Sheet, r.Row, r.Column, r.Text, r.Reason})
}
