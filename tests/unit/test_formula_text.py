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
