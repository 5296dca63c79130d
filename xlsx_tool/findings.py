"""The one catalogue of everything the tool can tell a user, each entry with a stable code.

Codes by family:

* ``F..`` — the input file cannot be used at all (exit 2);
* ``O..`` — the output cannot be written (exit 2);
* ``S..`` — the workbook's structure was changed (sheets, names, labels, total formulas);
* ``I..`` — 基本信息 (basic information);
* ``V..`` — one input value (blank, not a number, negative, …);
* ``X..`` — a cross-check (勾稽关系) failed; these codes and their titles come from the format data
  files (:func:`cross_check`), so a new official revision brings its own;
* ``N..`` — the narrative contradicts the tables, names another year, or leaves a section empty;
* ``Y..`` — year to year: continuity with last year's report, rows and text repeated from it, and
  the explanations (说明) a clerk wrote;
* ``T..`` — a custom Word template is faulty;
* ``P..`` — reading a published report (structure, tables, numbers run together, uncertain cells);
* ``R..`` — the review office: many units, the roster, combining, the exchange JSON;
* ``W..`` — what the local web page answers (upload limits, expired page, access code).

Every message reads location → rule → how to fix, in Chinese.  :class:`Finding` is what ``check``
prints (text or ``--json``); a 提示 accepted with an explanation is shown as :data:`EXPLAINED`
(已说明); :class:`UserError` aborts a command with a message and an exit code.
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
    #: a 提示 the clerk accepted with a written explanation (说明); never counts as an error
    EXPLAINED = "已说明"


ERROR = Severity.ERROR
NOTE = Severity.NOTE
EXPLAINED = Severity.EXPLAINED


@unique
class Code(Enum):
    """Every finding code of the catalogue: ``Code.F01.value == (severity, title, how to fix)``;
    ``str(Code.F01) == "F01"``.  Severity of ``F``/``O`` codes is always 错误."""

    F01 = (ERROR, "文件不存在", "请检查文件路径是否正确（路径中有空格时请用引号括起来）。")
    F02 = (ERROR, "给出的是文件夹而不是文件", "请给出一个文件（填报工作簿 .xlsx/.xls/.ods、已发布的年报或导出的 .json）的完整路径；要一次检查整个文件夹，请用 xlsx-tool review。")
    F03 = (ERROR, "文件无法读取", "文件为空、已损坏或不是电子表格。请用 Excel/WPS/LibreOffice 打开确认后重新保存为 .xlsx。")
    F04 = (ERROR, "文件设置了打开密码", "请在 Excel/WPS 中取消“打开密码”（文件加密）后另存，再运行本工具。工作表保护无需取消。")
    F05 = (ERROR, "这不是本工具生成的模板", "请先运行 xlsx-tool template 生成模板，在模板中填写后再检查。")
    F06 = (ERROR, "文件过大或结构可疑，已拒绝读取", "年报数据只有几百个单元格：请删除表格以外误填的大量内容，或用 Excel/WPS 把数据复制到新生成的模板中另存；来历不明的文件请勿打开。")
    F07 = (ERROR, "不支持的文件类型", "填报工作簿请用 .xlsx（推荐）、.xls 或 .ods；已发布的年报（.html、.docx、.pdf、.txt）也可以检查，或用 xlsx-tool audit 审读、import 导入；xlsx-tool export 导出的 .json 同样可读。")
    F08 = (ERROR, "无法识别年报格式", "基本信息表中的“年报格式”被修改或删除。请用 xlsx-tool template 重新生成模板并把数据复制过去。")
    F09 = (ERROR, "Word 模板无法使用", "请检查 Word 模板文件，或去掉 --template 使用内置模板。")
    F10 = (ERROR, "无法生成 PDF", "需要安装 LibreOffice（soffice 命令）才能输出 PDF；.docx 已正常生成。")
    F11 = (ERROR, "样例数据文件有误", "请按样例文件开头的说明更正。")
    F12 = (ERROR, "没有这个年报格式", "一般不必写 --format：按报告年度自动选择（各年度适用的格式见括号内）。")
    F13 = (ERROR, "报告年度不正确", "请从括号内所列的年度中选择，年份写四位数字。")
    # -- reading a workbook: trust, bounds (issue 8, workbook side) --------------------------------
    F14 = (ERROR, "给出的不是普通文件", "请给出保存在磁盘上的文件（工作簿、年报、名单、模板等）；设备、命名管道、套接字等不能作为输入：读取它们可能一直等待或没有尽头。")
    O01 = (ERROR, "输出文件已存在", "为避免覆盖已有文件，本工具不会改写它。请换一个文件名，或加 --force 允许覆盖。")
    O02 = (ERROR, "输出文件夹不存在", "请先创建该文件夹，或换一个输出路径。")
    O03 = (ERROR, "输出文件夹不可写", "请换一个有写入权限的文件夹。")
    O04 = (ERROR, "输出文件与输入文件相同", "输入文件不会被改写。请为输出换一个文件名。")
    O05 = (ERROR, "输出路径是一个文件夹", "请在文件夹后写上输出文件名，如 年报/2026年报.docx。")
    S01 = (ERROR, "工作表缺失或被改名", "请恢复原工作表名称，或重新生成模板后把数据复制过去。")
    S02 = (NOTE, "单元格名称缺失，已按模板原位置读取", "不影响结果；若结果有误，请重新生成模板后把数据复制过去。")
    S03 = (ERROR, "表格标签与官方格式不符", "表格的行列可能被插入、删除或改动。请恢复原样，或重新生成模板后把数据复制过去。")
    S04 = (ERROR, "合计单元格的公式被改成了数值，且与各项之和不符", "合计由公式自动计算，请不要手工填写。只需恢复这一格的公式：在该格输入上面给出的公式（工作表有保护时，先在“审阅”菜单中“撤销工作表保护”，无密码），或撤销这次修改；不必重新生成模板。")
    S05 = (NOTE, "合计单元格的公式被改成了数值", "数值与各项之和一致，本工具按各项之和计算；建议恢复公式（写法见上），以后修改各项时合计才会自动更新。")
    S06 = (NOTE, "文件中保存的合计结果与各项之和不一致", "本工具已按各项之和重新计算，报告使用重新计算的结果。可在表格软件中重新计算后保存。")
    S07 = (ERROR, "模板的年报格式与报告年度不符", "请按括号内的对应关系选择年报格式，或用正确的报告年度重新生成模板。")
    S08 = (NOTE, "模板由其他版本的本工具生成", "版式不同，已按标签核对位置；如有错误请重新生成模板。")
    S09 = (NOTE, "表格中有多余的内容", "表格范围外的行或单元格不会读入报告，请确认是否误填。")
    # -- newcomer (issue 10): what a first-time user runs into ------------------------------------
    S20 = (ERROR, "要覆盖的工作簿中已填有数据", "新生成的模板是空白的，覆盖会丢失已填写的内容，所以即使加了 --force 也不会覆盖它。请用 -o 另起一个文件名；确实不要这些数据时，请先把该文件移走或删除，再重新生成。")
    # -- reading a workbook: names against labels (issue 8, workbook side) -------------------------
    S10 = (ERROR, "单元格名称与行列标签不一致，该数据未读取",
           "单元格的名称（公式 › 名称管理器）指向的格子与行列标签不符，常见原因是剪切粘贴、拖动单元格或改动了名称。"
           "请核对两处的数字，把数字填回行列标签对应的格子；仍有问题时用 xlsx-tool template 重新生成模板，"
           "用“复制”和“选择性粘贴 › 数值”把数据填过去。")
    S11 = (NOTE, "单元格名称失效（#REF!），已按行列标签读取",
           "通常是用“剪切”“粘贴”或拖动覆盖了该单元格。行列标签核对无误，请核对该单元格的数字；"
           "移动数据请用“复制”和“选择性粘贴 › 数值”。")
    S12 = (ERROR, "单元格的内容可能是从别处剪切粘贴过来的，该数据未读取",
           "另一个单元格的名称指向这里，而本单元格自己的名称已失效（#REF!），说明数据被剪切粘贴或拖动过。"
           "请把数字填回各自行列标签对应的格子；仍有问题时重新生成模板，用“复制”和“选择性粘贴 › 数值”填入。")
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
    # -- reading a workbook: cell values (issue 8, workbook side) ----------------------------------
    V12 = (ERROR, "单元格显示错误值",
           "该单元格的公式出错（如 #DIV/0! 除以 0、#REF! 引用了已删除的单元格、#N/A 查找不到）或直接输入了错误值。"
           "请改正公式，或直接填写数字。")
    V13 = (NOTE, "数字被设成了日期格式，已按数值读取",
           "单元格格式为日期，表格中显示为日期（如 1900-01-03）。请把单元格格式改回“常规”或“数值”。")
    V14 = (NOTE, "文字中有控制字符或不可见字符",
           "这些字符（已标为 <U+…>）看不见，却会进入报告，多来自网页或其他软件的复制粘贴。请删除后重新输入这段文字。")
    N01 = (NOTE, "正文中的数字与表格不一致", "请核对正文与表格，或在正文中使用占位符引用表格数值。")
    N02 = (NOTE, "正文中出现了非报告年度的年份", "请确认是否笔误（如去年的报告内容未更新）。")
    N03 = (ERROR, "正文中的占位符无法识别", "占位符写法见“填报说明”，如 {表三.一、本年新收政府信息公开申请数量.总计}。")
    # -- reading a workbook: the 正文 cells (issue 8, workbook side) ---------------------------------
    N04 = (ERROR, "正文单元格显示错误值，该段不会出现在报告中",
           "正文单元格中请直接输入文字；如果用了公式，请改正公式（如 #REF! 引用了已删除的单元格）或改为文字后保存。")
    N05 = (NOTE, "占位符写成了两层花括号",
           "正文中的占位符只用一对花括号，如 {表三.本年新收.总计}；{{ }} 是 Word 模板的写法。已按一对花括号替换。")
    N06 = (NOTE, "正文中有控制字符或不可见字符",
           "这些字符（已标为 <U+…>）看不见，却会进入报告，多来自网页或其他软件的复制粘贴。请删除后重新输入这段文字。")
    T01 = (ERROR, "Word 模板中有未知的占位符", "请改为 xlsx-tool fields 列出的名称。")
    T02 = (NOTE, "Word 模板中有未使用的占位符", "该数据不会出现在报告中；如无需要可忽略。")
    T03 = (ERROR, "Word 模板中的标签被拆分到多个文字段", "请删除该标签后一次性重新输入（不要分段粘贴或修改其中一部分）。")
    T04 = (ERROR, "Word 模板的标签中有中文弯引号", "请把标签中的“ ” ‘ ’ 改为英文直引号 \" 或 '，可关闭 Word 的“自动更正引号”。")
    T05 = (ERROR, "表格中的循环没有使用 {%tr %}", "在表格行中循环请写 {%tr for … %} … {%tr endfor %}。")
    T06 = (ERROR, "Word 模板中有语法错误或不安全的表达式", "请核对 {{ }} 与 {% %} 标签的写法；模板中不能访问内部属性。")
    # -- the Word template and the outputs (issue 8, report side): F20–F22, O06–O09, T07–T14 --------
    F20 = (ERROR, "Word 模板过大或结构可疑，已拒绝打开", "Word 模板一般只有几十 KB 到几 MB：请在 Word/WPS 中打开模板，另存为新的 .docx 后再用；来历不明的文件请勿使用。")
    F21 = (ERROR, "Word 模板含有宏", "报告不能带宏。请在 Word/WPS 中打开模板，“另存为”选择“Word 文档（*.docx）”后再用。")
    O06 = (ERROR, "输出文件的扩展名与写入的内容不符", "请按括号中的建议改写输出文件名：Word 报告写 .docx（加 --pdf 时 PDF 自动生成在它旁边），填报模板写 .xlsx。")
    O07 = (ERROR, "输出路径不是普通文件，不会覆盖", "它是管道、设备，或指向其他文件夹的符号链接（快捷方式）；即使加了 --force 也不会写入。请换一个文件名。")
    O08 = (ERROR, "文件名过长", "文件名最多 255 字节（约 85 个汉字）：请缩短文件名或文件夹名后重试。")
    O09 = (ERROR, "磁盘空间不足，未能写完", "请清理磁盘或换一个有空间的文件夹后重试；未写入任何不完整的文件，原有文件保持不变。")
    O10 = (ERROR, "导出的交换文件超过读取上限，未写入", "交换文件最多 8 MB（一份年报通常不到 1 MB），超过的文件本工具和审核平台都不会读取：多半是正文或“注”中误粘贴了大量文字，请删除后重新导出。")
    T07 = (ERROR, "Word 模板的计算量超出限制", "年度报告模板只需输出 xlsx-tool fields 列出的占位符：请删除超大的循环（range）、重复（* 或 center 等）、超长文字或超大数字的标签。")
    T08 = (NOTE, "Word 模板中有指向外部的链接，报告中已删除", "公开的报告不带链接的图片、远程模板、网络路径、链接的对象，也不带读取外部内容的域（INCLUDEPICTURE、INCLUDETEXT、LINK 等，只保留其显示的结果）、嵌入的网页和引用外部内容的 SVG 图片。需要图片请在 Word 中“插入图片”（不选“链接到文件”），或在 Word 中断开链接（文件 → 信息 → 编辑指向文件的链接）。")
    T09 = (ERROR, "Word 模板的批注中有标签", "批注中的 {{ }}、{% %} 标签不会被替换：请把标签移到正文、表格、页眉页脚、脚注或尾注中，或删除该批注。")
    T10 = (NOTE, "Word 模板的域代码中有标签", "域代码（如超链接的地址）中的标签会被填报的数据替换，数据就能改变这个域的作用；请确认确有需要，并在生成的报告中核对该域（在 Word 中按 Alt+F9 可查看域代码），或把标签移到域代码之外。")
    # -- review office (issue 13): review, combine, check --parts, exchange JSON: R01–R29 ----------
    R01 = (ERROR, "读取文件时程序异常退出或超时", "该文件可能已损坏或有意构造：请用 Excel/WPS 打开确认后另存为新文件，再重新审核；来历不明的文件请勿打开。")
    R02 = (ERROR, "同一单位提交了多个文件（重复提交）", "请确认哪一个是最终版本，把其余文件移出文件夹后重新运行。")
    R03 = (ERROR, "报告年度与本次审核的年度不符", "请确认该单位是否交错了年度的文件；审核其他年度请用 --year 指定。")
    R04 = (ERROR, "单位名单中的单位没有提交报告", "请督促该单位提交；若单位已撤并或改名，请更新单位名单。")
    R05 = (NOTE, "单位不在单位名单中", "请核对机关名称是否与单位名单一致（全称、简称），或把该单位补入名单。")
    R06 = (ERROR, "单位名单无法使用", "单位名单为一列单位名称：.xlsx（第一个工作表的第一列）、.csv（第一列）或 .txt（每行一个）。")
    R07 = (NOTE, "单位名单中有重复的名称", "重复的名称只算一个单位；请整理名单。")
    R08 = (ERROR, "交换文件无法使用", "请使用 xlsx-tool export 导出的 .json 文件（格式见 xlsx_tool/formats/exchange.schema.json）。")
    R09 = (NOTE, "交换文件中有本格式没有的字段", "这些字段不会读入报告；请确认交换文件与年报格式对应。")
    R10 = (ERROR, "没有找到可审核的报告文件", "请确认文件夹路径；可审核 .xlsx、.xls、.ods 工作簿、已发布的年报和 xlsx-tool export 导出的 .json。")
    R11 = (ERROR, "单位报告有错误，未汇总", "请该单位改正后重新提交；确需先汇总可加 --allow-errors。")
    R12 = (ERROR, "单位报告的年报格式或年度与汇总不同，未汇总", "请把该文件移出文件夹；汇总其他年度请用 --year 指定。")
    R13 = (ERROR, "重复提交的单位未汇总", "同一单位只能汇总一份：请把多余的文件移出文件夹后重新汇总。")
    R14 = (ERROR, "单位报告无法读取，未汇总", "请该单位重新提交可读取的文件，或把它移出文件夹。")
    R15 = (ERROR, "汇总数与各单位之和不符", "请用 xlsx-tool combine 重新生成汇总，或核对汇总后被改动的单元格和单位文件。")
    R16 = (NOTE, "汇总来源中的单位在文件夹中找不到", "请确认 --parts 给出的是汇总时使用的文件夹。")
    R17 = (ERROR, "跨年衔接检查不可用", "本版本未包含跨年衔接检查；请更新 xlsx_tool，或去掉 --previous 后重新运行。")
    R18 = (NOTE, "没有找到该单位上一年度的报告", "跨年衔接检查需要上一年度的报告：请把它放入 --previous 文件夹（按机关名称对应）。")
    R19 = (NOTE, "机关名称未填写，按文件名识别单位", "请在“基本信息”表中填写机关名称。")
    R20 = (ERROR, "各单位的金额单位不同，无法汇总", "请各单位使用相同的金额单位（如统一为“元”）后重新汇总。")
    R21 = (ERROR, "没有可汇总的单位", "请确认文件夹中有本年度、无错误的单位报告。")
    R22 = (NOTE, "该单位的报告未计入汇总核对", "汇总时未包含该单位（原因见说明）；如应汇总，请改正后重新运行 xlsx-tool combine。")
    R23 = (NOTE, "单位名单中的单位未包含在汇总中", "汇总数不含这些单位；请督促提交后重新汇总。")
    R24 = (ERROR, "交换文件中的合计与各项之和不符", "合计由各项相加得出，读取时按各项之和计算：请核对交换文件中被改动的数字，或用 xlsx-tool export 从原工作簿重新导出。")
    # -- year to year (issue 11): last year's report, continuity, repeat rate, 说明; narrative sections
    I06 = (ERROR, "上年报告与本报告不是同一机关", "请确认选对了上年报告；机关因机构改革等原因更名的，可加 --force-previous 继续使用（将列为提示）。")
    I07 = (ERROR, "上年报告不是上一年度的报告", "上年报告应为报告年度前一年的报告；中间缺少一年的，可加 --force-previous 使用更早的报告（将列为提示）。")
    Y01 = (NOTE, "上年结转与上年报告不衔接", "本年“二、上年结转”应等于上年报告“四、结转下年度继续办理”；请核对，确有原因（如机构调整）请在“说明”工作表中写明。")
    Y02 = (NOTE, "累计件数与上年报告不衔接", "请按“上年数 + 本年制发（公开）− 本年废止”核对；有修订、清理等原因的，请在“说明”工作表中写明。")
    Y03 = (NOTE, "上一年项目数量与上年报告不衔接", "本年“上一年项目数量”应等于上年报告的“上一年项目数量 + 本年增/减”；请核对，或在“说明”工作表中写明原因。")
    Y04 = (NOTE, "表格中的一行与上年报告完全相同", "请确认这一行是否照抄了上年的数字；确实相同的，可在“说明”工作表中写明。")
    Y05 = (NOTE, "正文段落与上年报告原文相同", "请按本年度的情况改写这一段；确需保留的，可在“说明”工作表中写明。")
    Y06 = (NOTE, "正文与上年报告重复较多", "请按本年度的工作情况改写重复较多的部分（有的考核对重复率超过一半的报告扣分）；确属有意保留的，可在“说明”工作表中写明。")
    Y07 = (ERROR, "上年报告有错误", "请先改正上年报告中的错误；确需从有错误的上年报告开始，可加 --force-previous（将列为提示）。")
    Y08 = (NOTE, "说明没有对应的提示", "本次检查没有与这条说明的代码和位置对应的提示；请核对代码和位置，或删除这条说明。")
    Y09 = (NOTE, "说明填写不完整", "每条说明需要写明代码（从下拉列表选择）和说明内容；位置可以不写（对该代码的全部提示有效）。")
    N07 = (ERROR, "正文必须填写的部分为空或内容过少", "请按年报格式的要求填写这一部分（不能空着、只写“无”或不足 10 个字）。")
    N08 = (NOTE, "正文部分为空或内容过少", "请确认这一部分是否漏填；没有内容的请写明具体情况，不要只写“无”。")
    N09 = (NOTE, "改进计划写的是本报告年度", "“存在的主要问题及改进情况”中的工作计划应为下一年度，请核对年份。")
    N10 = (NOTE, "其他需要报告的事项写“无”，但有收费情况", "表二或正文中有收费（如信息处理费）的情况，请在“六、其他需要报告的事项”中写明。")
    N11 = (NOTE, "正文过长，只核对了前一部分", "年度报告的正文通常不超过几万字；请确认是否误粘贴了大量文字。")
    # -- published reports (issue 12): xlsx_tool.published, commands import and audit -------------
    F23 = (ERROR, "已发布的年报无法读取", "请确认文件完整、扩展名与内容相符：网页请在浏览器中“另存为”网页（.html），Word 文档另存为 .docx，PDF 需是由 Word/WPS 导出的带文字的 PDF。")
    F24 = (ERROR, "PDF 中没有文字（可能是扫描件）", "扫描件只有图片，无法可靠读取数字。请找到该报告的网页版或 Word 版，或对照原文在 xlsx-tool template 生成的模板中手工填写。")
    F25 = (ERROR, "报告文件过大或结构可疑，已拒绝读取", "一份年报通常只有几十页、几 MB。请确认选对了文件；来历不明的文件请勿打开。")
    F26 = (ERROR, "读取 .doc/.wps 需要 LibreOffice", "请安装 LibreOffice（soffice 命令），或在 Word/WPS 中把文件另存为 .docx 后再读取。")
    P01 = (ERROR, "报告中找不到这张统计表", "请对照原文确认：表格是否是图片（图片无法读取）、是否漏印。可在导入的工作簿中按原文补填。")
    P02 = (NOTE, "基本信息未能从报告中读出", "标题或开头一段中没有找到这些信息；导入的工作簿中请补填。")
    P03 = (NOTE, "报告缺少规定的部分", "年报应包括六个部分（一、总体情况 … 六、其他需要报告的事项），请对照原文核对。")
    P04 = (NOTE, "部分标题与官方格式不同", "标题应与年报格式一致；已按最接近的官方标题读取。")
    P05 = (NOTE, "报告中有规定之外的部分", "这部分内容未读入正文；请确认是否应并入某一部分。")
    P06 = (NOTE, "报告各部分的顺序与官方格式不同", "请按一至六的顺序排列。")
    P07 = (NOTE, "这一部分没有内容", "请确认是否漏写；没有需要报告的事项可写“无。”。")
    P10 = (ERROR, "统计表使用的年报格式与报告年度不符", "请按该年度适用的年报格式（见括号内）制表；导入的工作簿按报告实际印出的表格格式读取。")
    P11 = (NOTE, "表格标签与官方格式不同，已按最接近的官方标签读取", "请核对该行（列）是否确为括号内的官方项目。")
    P12 = (NOTE, "表格缺少官方格式中的一行", "这一行的单元格按“未填写”处理；请对照原文确认。")
    P13 = (NOTE, "表格中有空白单元格", "空白按“未填写”处理（核对勾稽关系时按 0 计算），不当作 0 写入。")
    P14 = (NOTE, "单元格中印的不是数字", "已原样保留，不计入勾稽关系核对；请确认该格的含义（如“/”“—”“无”通常表示 0 或不适用）。")
    P15 = (NOTE, "单元格中的数字带有说明文字", "已读取其中的数字，说明文字写入该表下方的“注”。")
    P16 = (NOTE, "数字连排，已按唯一可能的方式拆分", "原文中各格数字连在一起（复制网页或 PDF 时常见）；请对照原文确认拆分结果。")
    P17 = (NOTE, "数字无法确定，未读取", "原文中各格数字连在一起或个数与列数不符，有多种（或没有）符合表格勾稽关系的拆分方式。请对照原文，在导入的工作簿中填写这些单元格。")
    P18 = (NOTE, "一行中的数字个数与列数不符，已按唯一可能读取", "请对照原文确认这一行各格的数字。")
    P19 = (NOTE, "表格多出一列，已按官方格式读取", "官方格式没有这一列（如“法人或其他组织”的“小计”）；该列只用于核对，不写入工作簿。")
    P20 = (ERROR, "多出的小计列与各项之和不符", "请核对该行的小计与其各项数字。")
    P21 = (NOTE, "报告中有官方格式之外的表格", "该表（如信息处理费收取情况）已识别，但不属于表二至表四，未读入。")
    P22 = (NOTE, "表格中有无法对应到官方项目的行", "这一行的数字未读入；请对照原文确认它对应哪一项。")
    P23 = (NOTE, "同一行在表格中出现了两次", "只读取了第一次出现的数字；请对照原文确认。")
    P24 = (NOTE, "金额单位按原文读取", "导入的工作簿中已选择该单位；请确认。")
    P25 = (ERROR, "一行数字无论怎样拆分都不满足勾稽关系，未读取", "原文中这一行的合计与各项不符（或印有空白单元格）。请对照原文核对，在导入的工作簿中填写这一行。")

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


#: Codes a check reports as 提示 instead of 错误 in some cases, and when (the README's code table
#: says so): lint-template lowers T03/T04 when the installed docxtpl repairs the tag itself.
SOMETIMES_NOTE = {Code.T03: "docxtpl 能自动拼接时为提示", Code.T04: "docxtpl 能自动换成直引号时为提示"}

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
    #: the clerk's explanation (说明) of this finding, when one was written
    explanation: str = ""

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
        """Location → rule → how to fix, one finding per paragraph; every part passed through
        :func:`visible` (cell contents and file names are untrusted)."""
        head = f"[{self.severity} {self.code}] {visible(self.location())}"
        body = visible(f"{self.title}：{self.message}" if self.message else self.title)
        if self.explanation and self.severity == EXPLAINED:
            return f"{head}\n    {body}\n    说明：{visible(self.explanation)}"
        if self.explanation:
            return (f"{head}\n    {body}\n    说明：{visible(self.explanation)}（错误不能以说明代替改正）"
                    f"\n    处理：{visible(self.fix)}")
        return f"{head}\n    {body}\n    处理：{visible(self.fix)}"


CROSS_CHECK_CODE = re.compile(r"X\d{2}")

#: Characters that must never reach a terminal or a message raw: C0/C1 controls (ESC starts
#: terminal escape sequences) except tab and line feed, DEL, and the invisible or reordering
#: format characters (soft hyphen, zero-width spaces and joiners, bidi marks, embeddings,
#: overrides and isolates, line/paragraph separators, word joiner…, BOM, tag characters), lone
#: surrogates (left by undecodable file names) and the non-characters U+FFFE/U+FFFF.  Variation
#: selectors stay: rare characters of personal and place names are written with them.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5"
                     "\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164"
                     "\ufeff\uffa0\ufff0-\ufffb\ufffe\uffff\ud800-\udfff\U000e0000-\U000e007f]")


def has_unsafe(text: str) -> bool:
    """Whether ``text`` holds a character :func:`visible` would mark."""
    return bool(_UNSAFE.search(text))


def visible(text: str) -> str:
    """``text`` safe to print: each control or invisible character written as ``<U+XXXX>``
    (``"3\u200b"`` → ``"3<U+200B>"``, ESC → ``<U+001B>``); tab and line feed kept."""
    if not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)


def dumps(obj, **kwargs) -> str:
    """JSON text as ``json.dumps(obj, ensure_ascii=False, **kwargs)``, except that every character
    :func:`visible` marks is written as a JSON ``\\uXXXX`` escape: the same data for a program,
    nothing a terminal would act on (lone surrogates become escapes instead of an encoding error)."""
    import json

    text = json.dumps(obj, ensure_ascii=False, **kwargs)
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}" if ord(m.group()) < 0x10000 else
                       "".join(f"\\u{u:04x}" for u in _surrogates(ord(m.group()))), text)


def _surrogates(cp: int) -> tuple[int, int]:
    cp -= 0x10000
    return 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF)


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
        return visible(f"[{f.severity} {f.code}] {f.title}：{self.subject}{detail}\n    处理：{f.fix}")
