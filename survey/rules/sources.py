"""The policy documents every rule is cited from (their texts ship in survey/rules/seeds/).

A criterion's `source` starts with the seed number ("000" … "004"), a space, then the
section as the seed numbers it, e.g. "000 §四(二)" or "001 工作指南 §五(二)3". Seed 001 holds
three documents, named in its sources: 内组通字〔2020〕2号 ("2号指导意见"), 内组通字〔2020〕4号
("4号方案") and the 工作指南 with its 附件2 (per-domain reference standards).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SeedFile:
    number: str
    file: str
    issuer: str
    title: str
    year: int | None

    def to_dict(self) -> dict[str, object]:
        return {
            "number": self.number,
            "file": self.file,
            "issuer": self.issuer,
            "title": self.title,
            "year": self.year,
        }


SEED_FILES: dict[str, SeedFile] = {
    seed.number: seed
    for seed in (
        SeedFile(
            "000",
            "000_cc85e8084d74450f.txt",
            "鄂尔多斯市市场监督管理局",
            "鄂尔多斯市市场监督管理局“最强党支部”建设工作实施方案",
            2020,
        ),
        SeedFile(
            "001",
            "001_7ac5433e7f4a04b1.txt",
            "内蒙古自治区党委组织部",
            "关于“五化协同、大抓基层”的指导意见（内组通字〔2020〕2号）；"
            "筑牢新时代北疆基层战斗堡垒建设“最强党支部”方案（内组通字〔2020〕4号）；"
            "内蒙古自治区“最强党支部”建设工作指南",
            2020,
        ),
        SeedFile(
            "002",
            "002_7d13ea60a9b16d0f.txt",
            "中共平顶山市委组织部、中共平顶山市委市直机关工作委员会",
            "创建平顶山市机关“四强”党支部实施方案",
            2024,
        ),
        SeedFile(
            "003",
            "003_a7cd9f9c66aa4566.txt",
            "中共赤峰工业职业技术学院委员会",
            "赤峰工业职业技术学院建设“最强党支部”工作方案",
            None,  # undated; it implements 001 4号方案 (2020) with targets for 2021 and 2023
        ),
        SeedFile(
            "004",
            "004_73c9b90b8b81ccaa.txt",
            "中共海门市委办公室",
            "关于推进市级机关党组织示范化建设的意见",
            2019,
        ),
    )
}


def seed_of(source: str) -> SeedFile | None:
    """The seed a criterion's `source` cites, or None if it cites none."""
    return SEED_FILES.get(source[:3])
