"""The one catalogue of everything the tool can tell a user, each entry with a stable code.

Codes by family:

* ``F..`` — the input file cannot be used at all (exit 2);
* ``O..`` — the output cannot be written (exit 2);
* ``S..`` — the workbook's structure was changed (sheets, names, labels, total formulas);
* ``I..`` — 基本信息 (basic information);
* ``V..`` — one input value (blank, not a number, negative, …);
* ``X..`` — a cross-check (勾稽关系) failed; these codes and their titles come from the format data
  files (:func:`cross_check`), so a new official revision brings its own;
* ``N..`` — the narrative contradicts the tables;
* ``T..`` — a custom Word template is faulty;
* ``W..`` — what the local web page answers (upload limits, expired page, access code).

Every message reads location → rule → how to fix, in Chinese.  :class:`Finding` is what ``check``
prints (text or ``--json``); :class:`UserError` aborts a command with a message and an exit code.
Codes are the members of :class:`Code`; asking for a code that is not in the catalogue is a
programming error (``ValueError``), never a silent cross-check error.  This module is the ground
floor of the package: it imports nothing of it.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from enum import Enum, StrEnum, unique


class Severity(StrEnum):
    """How serious a finding is; the value is what the user reads."""
    ERROR = "错误"
    NOTE = "提示"


ERROR = Severity.ERROR
NOTE = Severity.NOTE


@unique
class Code(Enum):
    """Every finding code of the catalogue: ``Code.F01.value == (severity, title, how to fix)``;
    ``str(Code.F01) == "F01"``.  Severity of ``F``/``O`` codes is always 错误."""

    F01 = (ERROR, "文件不存在", "请检查文件路径是否正确（路径中有空格时请用引号括起来）。")
    F02 = (ERROR, "给出的是文件夹而不是文件", "请给出 .xlsx/.xls/.ods 文件的完整路径。")
    F03 = (ERROR, "文件无法读取", "文件为空、已损坏或不是电子表格。请用 Excel/WPS/LibreOffice 打开确认后重新保存为 .xlsx。")
    F04 = (ERROR, "文件设置了打开密码", "请在 Excel/WPS 中取消“打开密码”（文件加密）后另存，再运行本工具。工作表保护无需取消。")
    F05 = (ERROR, "这不是本工具生成的模板", "请先运行 xlsx-tool template 生成模板，在模板中填写后再检查。")
    F06 = (ERROR, "文件过大或结构可疑，已拒绝读取", "年报数据只有几百个单元格：请删除表格以外误填的大量内容，或用 Excel/WPS 把数据复制到新生成的模板中另存；来历不明的文件请勿打开。")
    F07 = (ERROR, "不支持的文件类型", "请使用 .xlsx（推荐）、.xls 或 .ods 文件。")
    F08 = (ERROR, "无法识别年报格式", "基本信息表中的“年报格式”被修改或删除。请用 xlsx-tool template 重新生成模板并把数据复制过去。")
    F09 = (ERROR, "Word 模板无法使用", "请检查 Word 模板文件，或去掉 --template 使用内置模板。")
    F10 = (ERROR, "无法生成 PDF", "需要安装 LibreOffice（soffice 命令）才能输出 PDF；.docx 已正常生成。")
    F11 = (ERROR, "样例数据文件有误", "请按样例文件开头的说明更正。")
    F12 = (ERROR, "没有这个年报格式", "一般不必写 --format：按报告年度自动选择（各年度适用的格式见括号内）。")
    F13 = (ERROR, "报告年度不正确", "请写四位年份，如 --year 2026；只有括号内所列的年度有官方年报格式。")
    O01 = (ERROR, "输出文件已存在", "为避免覆盖已有文件，本工具不会改写它。请换一个文件名，或加 --force 允许覆盖。")
    O02 = (ERROR, "输出文件夹不存在", "请先创建该文件夹，或换一个输出路径。")
    O03 = (ERROR, "输出文件夹不可写", "请换一个有写入权限的文件夹。")
    O04 = (ERROR, "输出文件与输入文件相同", "输入文件不会被改写。请为输出换一个文件名。")
    O05 = (ERROR, "输出路径是一个文件夹", "请在文件夹后写上输出文件名，如 年报/2026年报.docx。")
    S01 = (ERROR, "工作表缺失或被改名", "请恢复原工作表名称，或重新生成模板后把数据复制过去。")
    S02 = (NOTE, "单元格名称缺失，已按模板原位置读取", "不影响结果；若结果有误，请重新生成模板后把数据复制过去。")
    S03 = (ERROR, "表格标签与官方格式不符", "表格的行列可能被插入、删除或改动。请恢复原样，或重新生成模板后把数据复制过去。")
    S04 = (ERROR, "合计单元格的公式被改成了数值，且与各项之和不符", "合计由公式自动计算，请不要手工填写。请撤销修改或重新生成模板。")
    S05 = (NOTE, "合计单元格的公式被改成了数值", "数值与各项之和一致，本工具按各项之和计算；建议恢复公式。")
    S06 = (NOTE, "文件中保存的合计结果与各项之和不一致", "本工具已按各项之和重新计算，报告使用重新计算的结果。可在表格软件中重新计算后保存。")
    S07 = (ERROR, "模板的年报格式与报告年度不符", "请按括号内的对应关系选择年报格式，或用正确的报告年度重新生成模板。")
    S08 = (NOTE, "模板由其他版本的本工具生成", "版式不同，已按标签核对位置；如有错误请重新生成模板。")
    S09 = (NOTE, "表格中有多余的内容", "表格范围外的行或单元格不会读入报告，请确认是否误填。")
    I01 = (ERROR, "基本信息未填写", "请在“基本信息”表中填写该项。")
    I02 = (ERROR, "基本信息格式不正确", "请按该行“填写说明”更正。")
    V01 = (ERROR, "未填写", "没有数据请填 0。")
    V02 = (ERROR, "不是数字", "请填写阿拉伯数字，没有数据请填 0；说明文字请写在表下的“注”中。")
    V03 = (ERROR, "不能为负数", "件数、金额均不能小于 0，请更正。")
    V04 = (ERROR, "应为整数", "件数应为整数，请更正。")
    V05 = (NOTE, "数值已自动规范", "单元格中的内容是文本或带有全角数字、千位分隔符、空格，已按数字读取；建议改为直接输入数字。")
    V06 = (ERROR, "小数位数过多", "金额最多保留 6 位小数，请四舍五入后填写。")
    V07 = (ERROR, "数值过大", "请核对是否多输入了数字。")
    V08 = (NOTE, "输入格中填写了公式", "已使用公式的计算结果；建议直接填写数字。")
    V09 = (ERROR, "输入格中的公式没有计算结果", "请在表格软件中打开并保存一次，或直接填写数字。")
    V10 = (NOTE, "未填写的单元格已按 0 计算", "使用了 --blank-as-zero。请确认这些单元格确实没有数据；正式报告建议填写 0。")
    V11 = (ERROR, "填写的内容不在可选范围内", "请从该单元格的下拉列表中选择。")
    N01 = (NOTE, "正文中的数字与表格不一致", "请核对正文与表格，或在正文中使用占位符引用表格数值。")
    N02 = (NOTE, "正文中出现了非报告年度的年份", "请确认是否笔误（如去年的报告内容未更新）。")
    N03 = (ERROR, "正文中的占位符无法识别", "占位符写法见“填报说明”，如 {表三.一、本年新收政府信息公开申请数量.总计}。")
    T01 = (ERROR, "Word 模板中有未知的占位符", "请改为 xlsx-tool fields 列出的名称。")
    T02 = (NOTE, "Word 模板中有未使用的占位符", "该数据不会出现在报告中；如无需要可忽略。")
    T03 = (ERROR, "Word 模板中的标签被拆分到多个文字段", "请删除该标签后一次性重新输入（不要分段粘贴或修改其中一部分）。")
    T04 = (ERROR, "Word 模板的标签中有中文弯引号", "请把标签中的“ ” ‘ ’ 改为英文直引号 \" 或 '，可关闭 Word 的“自动更正引号”。")
    T05 = (ERROR, "表格中的循环没有使用 {%tr %}", "在表格行中循环请写 {%tr for … %} … {%tr endfor %}。")
    T06 = (ERROR, "Word 模板中有语法错误或不安全的表达式", "请核对 {{ }} 与 {% %} 标签的写法；模板中不能访问内部属性。")

    # -- web page (issue 14): what the local web page answers besides the package's own findings --
    W01 = (ERROR, "上传的文件超过大小限制", "填好的年报工作簿通常不到 1 MB：请确认选对了文件（每个文件的大小限制见页面底部的“上传限制”）。")
    W02 = (ERROR, "一次上传的文件过多或总量过大", "请分批上传，或把文件打包成 .zip 后上传（数量和大小限制见页面底部的“上传限制”）。")
    W03 = (ERROR, "压缩包中有不安全或过大的内容", "请只把各单位的年报文件放进压缩包（不含指向包外的路径和超大文件）后重新上传。")
    W04 = (ERROR, "上传的文件类型不对", "填好的年报请上传 .xlsx（推荐）、.xls 或 .ods 工作簿；上年数据还可以是已发布的年报（网页、Word、PDF、文本）。")
    W05 = (ERROR, "页面已过期或请求来源不明", "请刷新页面后重新操作；如果一直出现，请关闭浏览器后重新打开本页面。")
    W06 = (ERROR, "访问码不正确", "请向启动本程序的同事索取访问码（启动时显示在命令行窗口中）。")
    W07 = (ERROR, "处理时间过长或处理中断", "请确认上传的是本工具生成的年报工作簿，来历不明的文件请勿上传；如果反复出现，请联系技术人员。")
    W08 = (ERROR, "服务器繁忙", "同时使用的人数或文件过多，请稍后再试。")
    W09 = (ERROR, "此功能尚未安装", "请联系技术人员安装本工具的完整版本。")

    def __str__(self) -> str:
        return self.name

    @property
    def severity(self) -> Severity:
        return self.value[0]

    @property
    def title(self) -> str:
        return self.value[1]

    @property
    def fix(self) -> str:
        return self.value[2]


#: The codes of the cross-checks come from the format data; their fixing advice is shared.
CROSS_CHECK_FIX = "请核对等式两边各单元格的数字，改正后重新检查。"


@dataclass
class Finding:
    """One problem found in a workbook, ready to print.

    ``cell`` is an Excel address (``C7``) on ``sheet``; ``labels`` the table › row › column path as
    printed.  For cross-checks ``left``/``right`` are the two sides of the equation as text
    (``一、本年新收(C5)+二、上年结转(C6)``) with their values and ``difference = left − right``.
    """
    code: str
    severity: str
    title: str
    message: str
    fix: str
    file: str = ""
    sheet: str = ""
    cell: str = ""
    labels: str = ""
    left: str = ""
    right: str = ""
    left_value: object = None
    right_value: object = None
    difference: object = None
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        d = asdict(self)
        for k in ("left_value", "right_value", "difference"):
            if d[k] is not None and not isinstance(d[k], (int, float, str)):
                d[k] = str(d[k])
        return {k: v for k, v in d.items() if v not in ("", None, {})}

    def location(self) -> str:
        parts = [p for p in (self.file, self.sheet and f"工作表“{self.sheet}”",
                             self.cell and f"单元格 {self.cell}") if p]
        where = "，".join(parts)
        return f"{where}（{self.labels}）" if self.labels else where

    def text(self) -> str:
        """Location → rule → how to fix, one finding per paragraph."""
        head = f"[{self.severity} {self.code}] {self.location()}"
        body = f"{self.title}：{self.message}" if self.message else self.title
        return f"{head}\n    {body}\n    处理：{self.fix}"


CROSS_CHECK_CODE = re.compile(r"X\d{2}")


def make(code: Code, message: str = "", *, severity: Severity | None = None, title: str | None = None,
         fix: str | None = None, **where) -> Finding:
    """A :class:`Finding` for a catalogue code; ``where`` sets file/sheet/cell/labels/left/right…

    ``ValueError`` when ``code`` is not a :class:`Code` (a programming error)."""
    if not isinstance(code, Code):
        raise ValueError(f"not a catalogue code: {code!r}")
    return Finding(code.name, severity or code.severity, title or code.title, message,
                   fix or code.fix, **where)


def cross_check(code: str, rule_title: str, message: str, **where) -> Finding:
    """The 错误 finding of a failed cross-check (勾稽关系): ``code`` (``X01`` …) and ``rule_title``
    come from the format data.  ``ValueError`` for a code not of the form ``X`` + two digits."""
    if not CROSS_CHECK_CODE.fullmatch(str(code)):
        raise ValueError(f"not a cross-check code: {code!r}")
    return Finding(str(code), ERROR, f"勾稽关系不成立：{rule_title}", message, CROSS_CHECK_FIX, **where)


class UserError(Exception):
    """Stops a command: printed as one Chinese message (no traceback), exit ``exit_code``.

    ``UserError(Code.F01, "D:/年报/数据.xlsx")`` → ``[错误 F01] 文件不存在：D:/年报/数据.xlsx …``.
    """

    def __init__(self, code: Code, subject: str, detail: str = "", exit_code: int = 2):
        self.finding = make(code, detail)
        self.subject = subject
        self.exit_code = exit_code
        super().__init__(self.text())

    @property
    def code(self) -> str:
        return self.finding.code

    def text(self) -> str:
        f = self.finding
        detail = f"（{f.message}）" if f.message else ""
        return f"[{f.severity} {f.code}] {f.title}：{self.subject}{detail}\n    处理：{f.fix}"
