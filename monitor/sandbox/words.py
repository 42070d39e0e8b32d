"""Word banks and title/body generators: local news, notices, policies, personnel, plans, budgets.

Titles follow the shapes real portals use (``关于印发《…》的通知``, ``…召开…工作推进会``,
``…同志职务任免的通知``); every choice is a hash of (portal, column, day, index), so a page is the
same every time it is generated.
"""

from __future__ import annotations

from monitor.sandbox.rand import h, pick

NEWS_TOPICS = (
    "安全生产", "优化营商环境", "乡村全面振兴", "城市更新", "招商引资", "防汛抗旱", "秋粮收购",
    "冬季供暖保障", "食品安全", "生态环境保护", "重点项目建设", "高标准农田建设", "稳就业",
    "文明城市创建", "民生实事", "数字政府建设", "政务服务“一网通办”", "消防安全", "森林防火",
    "老旧小区改造", "养老服务", "医疗保障", "河湖长制", "大气污染防治", "农村人居环境整治",
    "科技创新", "金融服务实体经济", "稳外贸稳外资", "信访工作", "耕地保护", "燃气安全",
    "校园安全", "文旅融合发展", "项目谋划储备", "制造业高质量发展", "黄河流域生态保护",
)
NEWS_SHAPES = (
    "{place}召开{topic}工作推进会", "{lead}调研{topic}工作", "{place}扎实推进{topic}",
    "{unit}开展{topic}专项行动", "{place}{year}年{topic}工作会议召开", "我{lv}{topic}工作取得阶段性成效",
    "{place}：{topic}跑出“加速度”", "{place}举行{topic}新闻发布会", "{place}部署{topic}工作",
    "{unit}召开{topic}专题会议", "{lead}督导检查{topic}工作", "{place}{topic}经验做法获省级推广",
    "{unit}组织开展{topic}培训", "{place}召开{topic}领导小组会议",
)
NOTICE_SHAPES = (
    "关于{year}年{topic}有关事项的通知", "关于开展{year}年度{topic}工作的通知", "{unit}关于{topic}的公告",
    "关于{place}{topic}有关事项的通告", "关于征求《{place}{topic}管理办法（征求意见稿）》意见的公告",
    "{year}年{place}{topic}示范单位拟认定名单公示", "关于做好{topic}工作的通知",
    "{unit}关于{year}年{topic}的公示",
)
POLICY_TOPICS = (
    "进一步优化营商环境", "加快推进数字经济发展", "推进乡村全面振兴", "加强安全生产工作",
    "促进民营经济发展壮大", "加快发展银发经济", "推进城市更新行动", "加强耕地保护",
    "促进服务消费扩容提质", "提升政务服务效能", "推动制造业高质量发展", "加强基层治理体系建设",
    "完善养老服务体系", "深化“放管服”改革", "加快构建现代物流体系", "推动文化和旅游深度融合",
)
POLICY_SHAPES = (
    "{gov}关于印发《{place}{ptopic}实施方案》的通知", "{office}关于{ptopic}的实施意见",
    "{gov}关于{ptopic}的意见", "{office}关于印发《{place}{ptopic}三年行动计划（{year}—{year2}年）》的通知",
    "{office}关于{ptopic}若干措施的通知", "{gov}关于{ptopic}的决定",
)
PERSONNEL_SHAPES = (
    "{gov}关于{name}等同志职务任免的通知", "{year}年{place}事业单位公开招聘工作人员公告",
    "{year}年{place}{unit}公开遴选公务员拟遴选人员名单公示", "关于{name}同志任职前公示",
    "{year}年{place}公开招录公务员拟录用人员名单公示", "{gov}关于{name}同志免职的通知",
)
PLANNING_SHAPES = (
    "{place}{year}年国民经济和社会发展计划", "{place}{topic}“十五五”规划", "{place}{year}年{topic}工作要点",
    "{unit}{year}年工作计划", "{place}{topic}专项规划（{year}—{year2}年）",
)
FINANCE_SHAPES = (
    "{place}{year}年预算执行情况和{year2}年预算草案的报告", "{unit}{year}年部门预算公开",
    "{unit}{year}年部门决算公开", "{place}{year}年政府债务限额及余额情况", "{unit}{year}年“三公”经费预算说明",
)
XXGK_SHAPES = NOTICE_SHAPES[:4] + POLICY_SHAPES[:3] + ("{unit}{year}年政府信息公开工作年度报告",)

SHAPES = {
    "news": NEWS_SHAPES, "notice": NOTICE_SHAPES, "policy": POLICY_SHAPES,
    "personnel": PERSONNEL_SHAPES, "planning": PLANNING_SHAPES, "finance": FINANCE_SHAPES,
    "xxgk": XXGK_SHAPES,
}

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜"
GIVEN = ("建国", "晓明", "卫东", "红梅", "志强", "光辉", "丽华", "海涛", "文斌", "建华", "立新", "俊杰",
         "永刚", "秀英", "国庆", "振华", "明亮", "玉兰", "学军", "春雷", "宏伟", "雪峰", "爱民", "新民")
UNITS_LOCAL = ("发展和改革委员会", "教育局", "财政局", "人力资源和社会保障局", "自然资源和规划局",
               "生态环境局", "住房和城乡建设局", "交通运输局", "农业农村局", "卫生健康委员会",
               "应急管理局", "市场监督管理局", "商务局", "文化广电和旅游局", "水利局", "民政局")
UNITS_DEPT = ("办公厅", "政策法规司", "规划财务司", "综合司", "人事司", "科技司", "监督管理司")

SENTENCES = (
    "{date}，{place}召开专题会议，总结前一阶段{topic}工作，安排部署下一步重点任务。",
    "会议指出，{topic}事关经济社会发展大局，事关人民群众切身利益，各级各部门要切实提高政治站位，压紧压实工作责任。",
    "会议强调，要坚持问题导向、目标导向和结果导向，聚焦重点领域和关键环节，持续推动各项工作落地见效。",
    "要进一步健全工作机制，加强统筹协调，形成上下联动、部门协同、齐抓共管的工作格局。",
    "各县（市、区）和相关部门负责同志参加会议，部分单位作交流发言。",
    "据了解，今年以来，{place}坚持把{topic}作为重要抓手，出台了一系列政策措施，取得了明显成效。",
    "下一步，{unit}将持续加大工作力度，完善配套政策，强化督导检查，确保各项任务按期完成。",
    "要坚持以人民为中心的发展思想，着力解决群众急难愁盼问题，不断增强人民群众的获得感、幸福感、安全感。",
    "要严格落实安全生产责任制，深入开展隐患排查整治，坚决防范遏制重特大事故发生。",
    "调研中，{lead}深入企业、社区和项目现场，详细了解{topic}推进情况，听取意见建议。",
    "此次活动共发放宣传资料两千余份，现场解答群众咨询三百余人次，受到广泛好评。",
    "截至目前，全{lv}已累计完成投资一百二十余亿元，带动就业一万余人。",
    "本办法自印发之日起施行，由{unit}负责解释。各地在执行中遇到的问题，请及时反馈。",
    "各单位要高度重视，认真组织，按照时间节点报送有关材料，逾期未报送的视为自动放弃。",
)


def person(x: int) -> str:
    return SURNAMES[x % len(SURNAMES)] + GIVEN[(x >> 7) % len(GIVEN)]


def title_for(kind: str, ctx: dict, x: int) -> str:
    """A realistic title for an item of column ``kind``; ``x`` (a 64-bit hash) picks every part."""
    shapes = SHAPES.get(kind, NEWS_SHAPES)
    shape = shapes[x % len(shapes)]
    units = ctx["units"]
    return shape.format(
        place=ctx["place"], gov=ctx["gov"], office=ctx["office"], lv=ctx["lv"], year=ctx["year"],
        year2=ctx["year"] + 1, topic=NEWS_TOPICS[(x >> 8) % len(NEWS_TOPICS)],
        ptopic=POLICY_TOPICS[(x >> 16) % len(POLICY_TOPICS)], unit=units[(x >> 24) % len(units)],
        name=person(x >> 32),
        lead=ctx["lv_short"] + ("领导", "委主要负责同志", "政府主要负责同志")[(x >> 48) % 3],
    )


def body_paragraphs(ctx: dict, n: int, *key) -> list[str]:
    """``n`` paragraphs of two to four sentences each."""
    out = []
    for p in range(n):
        parts = []
        for s in range(2 + h("len", p, *key) % 3):
            shape = SENTENCES[h("sent", p, s, *key) % len(SENTENCES)]
            parts.append(shape.format(
                date=ctx.get("date_cn", ""), place=ctx["place"], lv=ctx["lv"],
                topic=pick(NEWS_TOPICS, "topic", *key), unit=pick(ctx["units"], "unit", p, *key),
                lead=ctx["lv_short"] + "领导"))
        out.append("".join(parts))
    return out
