"""Formula normalisation: client rewrites are not changes, real changes are."""

from perfxl.formula_text import normalise


def test_client_rewrites_are_ignored() -> None:
    ours = "=IF(ISNUMBER('项目1'!F6),ROUND(SUM(J6,J43),2),FALSE)"
    assert normalise("=IF(ISNUMBER(项目1!F6),ROUND(SUM(J6,J43),2),FALSE())") == normalise(ours)
    assert normalise("=if( isnumber('项目1'!f6), round(sum(J6, J43), 2), false)") == normalise(ours)
    assert normalise("=_xlfn.IFS(A1>1,1)") == normalise("=IFS(A1>1,1)")
    assert normalise("='It''s'!A1") == normalise("=It's!A1")


def test_real_changes_are_kept() -> None:
    assert normalise("=ROUND(SUM(J6,J43),2)") != normalise("=ROUND(SUM(J6,J44),2)")
    assert normalise('=IF(D14="定性",1,0)') != normalise('=IF(D14="定 性",1,0)')  # strings kept as written
    assert normalise('=IF(D14="a",1,0)') != normalise('=IF(D14="A",1,0)')
    assert normalise("=10") != normalise("=10.5")


def test_renamed_sheet_references_follow_the_new_name() -> None:
    """What Excel and LibreOffice do to other sheets' formulas when a tab is renamed."""
    from perfxl.formula_text import rename_sheets

    ours = "=IF(COUNT('项目1'!D6,'项目11'!D6)=0,\"'项目1'!D6\",SUM('项目1'!D6,'项目2'!D6))"
    renamed = rename_sheets(ours, {"项目1": "智慧政务 平台"})
    assert renamed == "=IF(COUNT('智慧政务 平台'!D6,'项目11'!D6)=0,\"'项目1'!D6\",SUM('智慧政务 平台'!D6,'项目2'!D6))"
    # LibreOffice writes the new name unquoted; quotes inside a name are doubled.
    assert normalise("=IF(COUNT(智慧政务平台!D6,'项目11'!D6)=0,\"'项目1'!D6\",SUM(智慧政务平台!D6,'项目2'!D6))") == \
        normalise(rename_sheets(ours, {"项目1": "智慧政务平台"}))
    assert rename_sheets("=项目1!A1+'It''s'!B2", {"项目1": "It's", "It's": "项目1"}) == "='It''s'!A1+'项目1'!B2"
    assert rename_sheets(ours, {}) == ours
