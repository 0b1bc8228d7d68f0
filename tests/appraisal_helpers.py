"""Helpers the member-appraisal tests share: a roll, and an appraisal made from it."""

SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"


def member_names(n: int) -> list[str]:
    return [
        SURNAMES[i % 20] + GIVEN[(i * 7 + i // 20) % 20] + str(i // 400 or "") for i in range(n)
    ]


def roll(make, branch, n: int, probationary: int = 0) -> list[str]:
    """Import a roll of ``n`` members (the last ``probationary`` of them probationary)."""
    from survey.files import roster

    names = member_names(n)
    rows = [
        {"name": name, "member_class": "probationary" if i >= n - probationary else "full"}
        for i, name in enumerate(names)
    ]
    make._commit(lambda: roster.apply_members(make.session, "test", branch, rows))
    return names


def appraisal(make, branch, n=6, status="open", probationary=0, **fields):
    roll(make, branch, n, probationary)
    fields.setdefault("title", "2026年度民主评议党员")
    return make.campaign(branch, status=status, kind="member_appraisal", **fields)


def grades_of(campaign, chosen: dict[int, str]) -> dict[int, str]:
    """Question id -> grade from position -> grade."""
    return {q.id: chosen[q.position] for q in campaign.questions if q.position in chosen}
