"""What an import says about a file, in both languages (the CLI speaks Chinese by default)."""

from __future__ import annotations

# 领域 as a committee writes it, to the engine's DOMAINS (survey/rules/evidence.py).
DOMAIN_NAMES = {
    "机关": "organ",
    "农村": "village",
    "嘎查村": "village",
    "村": "village",
    "社区": "community",
    "企业": "enterprise",
    "国有企业": "state_enterprise",
    "国企": "state_enterprise",
    "集体企业": "state_enterprise",  # 001 附件2 §三 国有企业和集体企业党支部
    "国有企业和集体企业": "state_enterprise",
    "非公有制企业": "private_enterprise",
    "非公企业": "private_enterprise",
    "民营企业": "private_enterprise",
    "社会组织": "social_organisation",
    "学校": "school",
    "中小学校": "school",
    "中小学": "school",
    "高等学校": "university",
    "高校": "university",
    "公立医院": "hospital",
    "医院": "hospital",
    "事业单位": "institution",
    "流动党员": "mobile",
    "其他": "other",
}

MESSAGES = {
    "row": ("第{n}行：{reason}", "row {n}: {reason}"),
    "not_xlsx": (
        "这不是有效的Excel文件（.xlsx），请用Excel另存为.xlsx或CSV（UTF-8）后再上传。",
        "This is not a valid Excel file (.xlsx): save it as .xlsx or CSV (UTF-8) and upload again.",
    ),
    "not_utf8": (
        "CSV文件须为UTF-8编码，请在Excel中另存为“CSV UTF-8”后再上传。",
        'A CSV file must be UTF-8: save it from Excel as "CSV UTF-8" and upload again.',
    ),
    "not_table": (
        "这不是表格文件，请上传.xlsx或.csv文件。",
        "This is not a table: upload .xlsx or .csv.",
    ),
    "xlsx_too_many_parts": (
        "Excel文件的内部部件超过{n}个，不像正常的表格，未导入。请在Excel中另存为新的.xlsx后再上传。",
        "The Excel file has more than {n} internal parts, unlike a real sheet: nothing was "
        "imported. Save it from Excel as a new .xlsx and upload again.",
    ),
    "xlsx_too_large": (
        "Excel文件解压后超过{n} MB（上限），未导入。请删除多余的工作表和格式，或分批导入。",
        "The Excel file unpacks to more than {n} MB (the limit): nothing was imported. Remove "
        "other sheets and formatting, or import it in parts.",
    ),
    "xlsx_wide_row": (
        "Excel文件有一行超过{n}个单元格（上限），未导入。请只保留模板中的列。",
        "A row of the Excel file has more than {n} cells (the limit): nothing was imported. "
        "Keep only the template's columns.",
    ),
    "xlsx_too_many_cells": (
        "Excel文件超过{n}个单元格或文字（上限），未导入。请分批导入。",
        "The Excel file has more than {n} cells or texts (the limit): nothing was imported. "
        "Import it in parts.",
    ),
    "xlsx_long_cell": (
        "Excel文件有单元格超过{n}个字符（上限），未导入。",
        "A cell of the Excel file has more than {n} characters (the limit): nothing was imported.",
    ),
    "too_many_rows": (
        "文件超过{n}行，请分批导入。",
        "The file has more than {n} rows: import it in parts.",
    ),
    "no_file": ("请选择要上传的文件。", "Choose a file to upload."),
    "no_header": ("文件是空的，缺少表头行", "the file is empty: no header row"),
    "no_rows": ("表头下没有数据行", "no rows under the header"),
    "unknown_header": (
        "第{column}列表头“{name}”无法识别",
        'column {column}: unknown header "{name}"',
    ),
    "missing_header": ("缺少“{name}”列", 'the column "{name}" is missing'),
    "name_missing": ("名称为空", "the name is empty"),
    "name_too_long": ("名称超过{n}个字", "the name is longer than {n} characters"),
    "member_name_missing": ("姓名为空", "the member's name is empty"),
    "member_name_too_long": ("姓名超过{n}个字", "the member's name is longer than {n} characters"),
    "name_taken": ("“{name}”已存在", '"{name}" exists already'),
    "bad_kind": ("类型“{value}”须为党委或党支部", 'type "{value}" must be 党委 or 党支部'),
    "bad_parent": (
        "上级组织“{name}”不是已有的党委，也不在本文件前面的行中",
        'parent "{name}" is no existing committee, nor one on an earlier row',
    ),
    "parent_missing": ("党支部须填写上级组织", "a branch needs its parent committee"),
    "bad_domain": ("领域“{value}”无法识别", 'domain "{value}" is not known'),
    "bad_date": (
        "成立日期“{value}”无法识别（如2021-07-01）",
        'date "{value}" is not a date (e.g. 2021-07-01)',
    ),
    "bad_yes_no": ("面向社会“{value}”须为是或否", 'public-facing "{value}" must be 是 or 否'),
    "area_incomplete": (
        "纬度、经度、服务半径米须同时填写或同时留空",
        "give latitude, longitude and radius together, or none",
    ),
    "area_not_number": (
        "纬度、经度、服务半径米须为数字",
        "latitude, longitude and radius must be numbers",
    ),
    "area_out_of_range": (
        "纬度须在-90至90之间，经度须在-180至180之间",
        "latitude must be within ±90 and longitude within ±180",
    ),
    "bad_radius": (
        "服务半径米须为1至{n}之间的整数",
        "the radius must be a whole number from 1 to {n}",
    ),
    "bad_class": (
        "类别“{value}”须为正式党员或预备党员（可简写为正式、预备）",
        'class "{value}" must be 正式党员 or 预备党员 (or 正式, 预备)',
    ),
    "bad_joined_on": (
        "入党时间“{value}”无法识别（如2015-07-01或2015年7月）",
        'date joined "{value}" is not a date (e.g. 2015-07-01)',
    ),
    "duplicate_rows": ("“{name}”：第{rows}行", '"{name}": rows {rows}'),
    "duplicate_on_roll": ("（现有名册中已有{n}人同名）", " (already on the roll: {n})"),
    "ignored_columns": (
        "以下列未使用，已忽略：{names}",
        "These columns are not used and were left out: {names}",
    ),
    "confirm_stale": (
        "确认已失效（超过一小时或文件不符），未导入。请重新上传文件。",
        "The confirmation is no longer valid (over an hour old, or for another file): "
        "nothing was imported. Upload the file again.",
    ),
    "too_large": (
        "文件过大（上限2MB），请分批导入。",
        "The file is too large (2 MB at most): import it in parts.",
    ),
}


def message(code: str, lang: str, **params) -> str:
    zh, en = MESSAGES[code]
    return (en if lang == "en" else zh).format(**params)
