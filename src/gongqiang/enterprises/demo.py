"""A deterministic synthetic Linyi for `gongqiang demo`: towns, enterprises and demo accounts.

Two halves. The planning functions (`plan_towns`, `plan_enterprises`) are pure: plain dataclasses and a
`random.Random(seed)`, no Django, so the same seed always gives the same city and the proportions can
be tested without a database. `build_demo` persists a plan: towns and enterprises with bulk writes (the
audit hooks do not fire on them, on purpose: a demo build is not a business change), users through
`save()` (audited as "system:demo" by the command's `audit_context`).

Calibration (policy.md, "public figures"): 2,954 above-scale industrial enterprises in 2020 and 156
towns and sub-districts. The default 3,300 above-scale enterprises stand for the 2021 baseline; the
industry mix follows the city's eight traditional industries and the specialties the policy names.
All names and codes are fictional; real enterprises are never generated on purpose.
"""

from __future__ import annotations

import math
import random
import time
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from gongqiang.lib.uscc import USCC_ALPHABET as ORG_ALPHABET
from gongqiang.lib.uscc import make as make_uscc

DEMO_PASSWORD = "Demo@2026!"

# Demo enterprises are recognised by this start of the 9-character organisation code (USCC
# characters 9–12), so a rebuild can find and replace its own rows without touching imported ones.
DEMO_ORG_PREFIX = "MADM"

STATUS_OPERATING, STATUS_STOPPED, STATUS_CLOSED = "operating", "stopped", "closed"
STOPPED_SHARE = 0.02
CLOSED_SHARE = 0.01
UTILITY_FLOOR_FROM = 8  # above-scale enterprises of a unit from which it surely has one utility


# ---------------------------------------------------------------------------------------------------
# Dataclasses
# ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class County:
    """A county-level unit (district, county or functional zone) as the policy pack defines it."""

    code: str
    name: str
    short_name: str
    kind: str  # "district" | "county" | "zone"
    towns: int | None = None  # the pack's number of towns, where it gives one


@dataclass(frozen=True)
class TownPlan:
    code: str  # county code + 3 digits: 001–099 街道, 100–199 镇, 200–299 乡 (the national convention)
    name: str
    county_code: str
    sort_order: int


@dataclass(frozen=True)
class EnterprisePlan:
    uscc: str
    name: str
    region_code: str
    town_code: str
    industry_code: str
    above_scale: bool
    status: str

    def key(self) -> tuple[str, str, str, str]:
        return (self.uscc, self.name, self.region_code, self.industry_code)


# ---------------------------------------------------------------------------------------------------
# Towns: (街道, 镇, 乡) per county-level unit. 145 in the 12 counties + 11 in the zones = 156, the
# city's published total. Districts are mostly 街道, counties mostly 镇; the zones manage 3–4 each.
# ---------------------------------------------------------------------------------------------------
TOWN_MIX: dict[str, tuple[int, int, int]] = {
    "371302": (7, 4, 0),  # 兰山区
    "371311": (5, 4, 0),  # 罗庄区
    "371312": (4, 5, 0),  # 河东区
    "371321": (2, 11, 1),  # 沂南县
    "371322": (2, 10, 0),  # 郯城县
    "371323": (2, 14, 1),  # 沂水县
    "371324": (2, 13, 1),  # 兰陵县
    "371325": (2, 9, 0),  # 费县
    "371326": (2, 11, 0),  # 平邑县
    "371327": (2, 12, 1),  # 莒南县
    "371328": (1, 7, 1),  # 蒙阴县
    "371329": (2, 7, 0),  # 临沭县
    "371371": (2, 1, 0),  # 高新区
    "371372": (3, 1, 0),  # 经开区
    "371373": (1, 3, 0),  # 临港区
}
# For a unit the table does not know (another city's pack): by kind.
TOWN_MIX_BY_KIND = {"district": (4, 3, 0), "county": (2, 10, 0), "zone": (2, 1, 0)}

# Place names: a first character and a place-word, the way north-Shandong towns are named (X庄, X埠, X岭 …).
TOWN_FIRST = (
    "金银柳青汪马李朱石白黄龙凤桃杏松义兴永安宝高双新大东西南三孙杨胡姚常苍许铜汤葛芦茶梅盛傅褚涝岔鲁桑岳尚洪"
)
TOWN_SECOND = "庄沟河山岭埠湖店集桥坡岗官堡林园泉峪崖洼屯营疃楼圩坊城口头寨"


def plan_towns(counties: Sequence[County]) -> list[TownPlan]:
    """The towns of every county-level unit: deterministic, independent of the enterprise seed."""
    rng = random.Random("gongqiang-demo-towns")
    used: set[str] = set()
    towns: list[TownPlan] = []
    for county in counties:
        mix = TOWN_MIX.get(county.code) or TOWN_MIX_BY_KIND.get(county.kind, (2, 4, 0))
        if county.towns is not None and county.towns != sum(mix):
            mix = _rescale_mix(mix, county.towns)
        order = 0
        for suffix, first_number, count in (("街道", 1, mix[0]), ("镇", 100, mix[1]), ("乡", 200, mix[2])):
            for n in range(count):
                while True:
                    stem = rng.choice(TOWN_FIRST) + rng.choice(TOWN_SECOND)
                    if stem not in used:
                        used.add(stem)
                        break
                order += 1
                towns.append(
                    TownPlan(f"{county.code}{first_number + n:03d}", stem + suffix, county.code, order)
                )
    return towns


def _rescale_mix(mix: tuple[int, int, int], total: int) -> tuple[int, int, int]:
    parts = apportion(total, mix if sum(mix) else (1, 1, 0))
    return parts[0], parts[1], parts[2]


# ---------------------------------------------------------------------------------------------------
# Enterprises: how many per unit, and the industry mix of each unit.
# ---------------------------------------------------------------------------------------------------
# Share of enterprises per unit (relative weights: above-scale, below-scale). 兰山 (the trade city's
# manufacturing belt, wood, stationery) and 罗庄 (stainless steel, ceramics, chemicals, pharma) are the
# largest; 费县 and 平邑 have many small wood mills, hence a heavier below-scale weight.
REGION_WEIGHTS: dict[str, tuple[int, int]] = {
    "371302": (150, 170),  # 兰山区
    "371311": (135, 125),  # 罗庄区
    "371312": (90, 95),  # 河东区
    "371321": (55, 55),  # 沂南县
    "371322": (60, 60),  # 郯城县
    "371323": (80, 70),  # 沂水县
    "371324": (65, 60),  # 兰陵县
    "371325": (75, 95),  # 费县
    "371326": (70, 90),  # 平邑县
    "371327": (60, 55),  # 莒南县
    "371328": (35, 35),  # 蒙阴县
    "371329": (60, 55),  # 临沭县
    "371371": (45, 25),  # 高新区
    "371372": (40, 25),  # 经开区
    "371373": (30, 20),  # 临港区
}
REGION_WEIGHTS_BY_KIND = {"district": (80, 80), "county": (60, 60), "zone": (30, 20)}

# The sectors of the mix. Cluster names follow the pack's lists (木业, 食品, 冶金, 机械; 医药, 化工, 建材;
# 纺织) plus the specialties of task six (不锈钢制品, 五金, 劳保手套, 宠物食品, 文体用品和仪表).
SECTORS = (
    "wood",  # 木业 20xx
    "food",  # 食品 13xx/14xx
    "petfood",  # 宠物食品 1321 (沂南)
    "steel",  # 冶金 31xx/32xx (临港, 罗庄)
    "stainless",  # 不锈钢制品 3130/33xx (罗庄)
    "hardware",  # 五金 33xx/3482 (河东)
    "machinery",  # 机械 33xx–35xx, 电气 38xx
    "pharma",  # 医药 27xx
    "chemicals",  # 化工 26xx
    "building",  # 建材 30xx
    "textiles",  # 纺织 17xx
    "gloves",  # 劳保手套 1830/1923/2919 (平邑)
    "stationery",  # 文体用品和仪表 24xx/40xx (兰山)
    "other",  # 造纸、包装、塑料、汽车零部件、电子、家具 …
    "utilities",  # 电力、热力、燃气、水 44xx–46xx: the evaluation's class T (暂不评价)
)

# Relative weight of each sector in each unit, above-scale. Read a row as "of 100 enterprises of the
# unit, about this many are in the sector". Wood concentrates in 兰山, 费县, 平邑; food in 沂水, 平邑,
# 兰陵, 郯城, 临沭, 河东; steel around 临港 and 罗庄 (policy.md and the pack's lists).
# fmt: off
REGION_MIX: dict[str, tuple[float, ...]] = {
    #          wood  food   pet steel  stnl   hdw  mach  phar  chem   bld  text  glov  stat other  util
    "371302": (  28,    8,    0,    2,    2,    4,   14,    3,    3,    5,    4,    0,   12,   14,  1.5),  # 兰山区
    "371311": (   6,    5,    0,   16,   20,    3,   14,    6,    9,   12,    2,    0,    0,    6,  1.5),  # 罗庄区
    "371312": (   6,   20,    0,    3,    3,   24,   18,    2,    3,    5,    3,    0,    1,    8,  1.5),  # 河东区
    "371321": (   8,   22,   14,    2,    0,    3,   16,    3,    4,    6,    6,    0,    0,   10,    2),  # 沂南县
    "371322": (  10,   25,    0,    2,    0,    3,   18,    4,    6,    8,    6,    0,    0,   12,    2),  # 郯城县
    "371323": (   8,   38,    2,    2,    0,    2,   14,    4,    4,    6,    6,    0,    0,    8,    2),  # 沂水县
    "371324": (  10,   30,    0,    2,    0,    2,   12,    4,   12,   10,    6,    0,    0,    8,    2),  # 兰陵县
    "371325": (  45,   10,    0,    2,    0,    2,   10,    4,    4,   10,    3,    0,    0,    8,    2),  # 费县
    "371326": (  26,   26,    0,    2,    0,    2,    8,    4,    3,    6,    3,   12,    0,    6,    2),  # 平邑县
    "371327": (   8,   24,    0,    3,    0,    4,   20,    3,    6,    8,    8,    0,    0,   14,    2),  # 莒南县
    "371328": (   6,   30,    0,    2,    0,    3,   12,    8,    4,   12,    6,    0,    0,   14,    3),  # 蒙阴县
    "371329": (  10,   24,    0,    2,    0,    3,   14,    3,   20,    6,    4,    0,    0,   12,    2),  # 临沭县
    "371371": (   2,    6,    0,    2,    2,    2,   36,   20,    4,    2,    2,    0,    2,   18,    2),  # 高新区
    "371372": (   6,   12,    0,    4,    4,    6,   34,    8,    6,    6,    4,    0,    0,    8,    2),  # 经开区
    "371373": (   2,    4,    0,   45,   10,    3,   16,    2,    6,    6,    2,    0,    0,    4,    3),  # 临港区
}
# fmt: on
REGION_MIX_DEFAULT = (10, 18, 0, 4, 1, 4, 20, 4, 6, 8, 6, 0, 1, 16, 2)

# Below-scale enterprises lean to small wood mills, workshops and specialty makers; steel, pharma,
# chemicals and utilities are capital-heavy and mostly above scale. Multiplies REGION_MIX.
BELOW_SCALE_FACTOR: dict[str, float] = {
    "wood": 1.5,
    "hardware": 1.3,
    "gloves": 1.3,
    "stationery": 1.3,
    "steel": 0.4,
    "pharma": 0.5,
    "chemicals": 0.6,
    "utilities": 0.3,
}

# GB/T 4754-2017 classes per sector: (code, relative weight, words that fit the enterprise name).
SECTOR_CLASSES: dict[str, tuple[tuple[str, float, tuple[str, ...]], ...]] = {
    "wood": (
        ("2021", 35, ("木业", "板业", "人造板")),  # 胶合板制造
        ("2029", 12, ("木业", "新材料")),  # 其他人造板制造
        ("2013", 12, ("木业", "单板")),  # 单板加工
        ("2011", 8, ("木材", "木业")),  # 锯材加工
        ("2022", 6, ("木业", "密度板")),  # 纤维板制造
        ("2032", 8, ("门业", "木业")),  # 木门窗制造
        ("2034", 5, ("地板", "木业")),  # 木地板制造
        ("2039", 14, ("木制品", "木业")),  # 软木制品及其他木制品制造
    ),
    "food": (
        ("1353", 12, ("食品", "肉制品")),  # 肉制品及副产品加工
        ("1352", 6, ("食品", "禽业")),  # 禽类屠宰
        ("1331", 8, ("粮油", "油脂")),  # 食用植物油加工
        ("1371", 10, ("食品", "果蔬")),  # 蔬菜加工
        ("1391", 4, ("淀粉", "食品")),  # 淀粉及淀粉制品制造
        ("1329", 6, ("饲料", "农牧")),  # 其他饲料加工
        ("1419", 8, ("食品",)),  # 饼干及其他焙烤食品制造
        ("1421", 7, ("食品", "糖果")),  # 糖果、巧克力制造
        ("1432", 8, ("食品", "速冻食品")),  # 速冻食品制造
        ("1453", 10, ("罐头", "食品")),  # 蔬菜、水果罐头制造
        ("1462", 4, ("酿造", "调味品")),  # 酱油、食醋及类似制品制造
        ("1499", 5, ("食品",)),  # 其他未列明食品制造
    ),
    "petfood": (("1321", 1, ("宠物食品", "宠物用品")),),  # 宠物饲料加工
    "steel": (
        ("3130", 40, ("钢铁", "钢材", "金属材料")),  # 钢压延加工
        ("3140", 15, ("合金", "镍业")),  # 铁合金冶炼
        ("3120", 5, ("钢铁", "特钢")),  # 炼钢
        ("3110", 2, ("钢铁",)),  # 炼铁
        ("3252", 12, ("铝业",)),  # 铝压延加工
        ("3251", 8, ("铜业",)),  # 铜压延加工
        ("3240", 8, ("合金材料",)),  # 有色金属合金制造
        ("3216", 4, ("铝业",)),  # 铝冶炼
        ("3391", 6, ("铸造", "铸业")),  # 黑色金属铸造
    ),
    "stainless": (
        ("3130", 30, ("不锈钢", "特钢")),  # 钢压延加工 (不锈钢冷轧)
        ("3381", 25, ("不锈钢制品", "厨具")),  # 金属制厨房用器具制造
        ("3382", 15, ("不锈钢制品", "金属制品")),  # 金属制餐具和器皿制造
        ("3311", 15, ("钢结构", "金属制品")),  # 金属结构制造
        ("3389", 15, ("金属制品", "不锈钢制品")),  # 其他金属制日用品制造
    ),
    "hardware": (
        ("3322", 20, ("五金", "工具")),  # 手工具制造
        ("3329", 15, ("五金工具", "五金")),  # 其他金属工具制造
        ("3340", 20, ("五金", "金属制品")),  # 金属丝绳及其制品制造 (钉、丝网)
        ("3351", 15, ("五金", "建筑五金")),  # 建筑、家具用金属配件制造
        ("3352", 10, ("五金", "管件")),  # 建筑装饰及水暖管道零件制造
        ("3482", 20, ("紧固件", "标准件")),  # 紧固件制造
    ),
    "machinery": (
        ("3311", 8, ("钢结构", "重工")),  # 金属结构制造
        ("3391", 6, ("铸造", "机械")),  # 黑色金属铸造
        ("3441", 6, ("泵业", "机械")),  # 泵及真空设备制造
        ("3443", 5, ("阀门", "机械")),  # 阀门和旋塞制造
        ("3451", 6, ("轴承",)),  # 滚动轴承制造
        ("3484", 10, ("机械", "精密机械")),  # 机械零部件加工
        ("3511", 4, ("矿山机械", "机械")),  # 矿山机械制造
        ("3514", 8, ("工程机械", "重工")),  # 建筑工程用机械制造
        ("3524", 5, ("木工机械", "机械")),  # 木竹材加工机械制造
        ("3572", 7, ("农业机械", "农机")),  # 机械化农业及园艺机具制造
        ("3591", 4, ("环保设备", "环保科技")),  # 环境保护专用设备制造
        ("3812", 5, ("电机", "电气")),  # 电动机制造
        ("3821", 5, ("电气", "电力设备")),  # 变压器、整流器和电感器制造
        ("3831", 6, ("电缆", "线缆")),  # 电线、电缆制造
        ("3841", 4, ("新能源", "电池")),  # 锂离子电池制造
        ("3872", 4, ("照明", "光电")),  # 照明灯具制造
    ),
    "pharma": (
        ("2710", 15, ("药业", "医药")),  # 化学药品原料药制造
        ("2720", 25, ("制药", "药业")),  # 化学药品制剂制造
        ("2730", 15, ("中药", "药业")),  # 中药饮片加工
        ("2740", 15, ("制药", "中药")),  # 中成药生产
        ("2750", 8, ("动物药业", "兽药")),  # 兽用药品制造
        ("2761", 8, ("生物制药", "生物科技")),  # 生物药品制造
        ("2770", 14, ("医疗用品", "卫材")),  # 卫生材料及医药用品制造
    ),
    "chemicals": (
        ("2614", 10, ("化工", "化学")),  # 有机化学原料制造
        ("2624", 20, ("肥业", "化肥")),  # 复混肥料制造
        ("2625", 10, ("生物肥业", "肥业")),  # 有机肥料及微生物肥料制造
        ("2631", 6, ("农药", "化工")),  # 化学农药制造
        ("2641", 12, ("涂料", "化工")),  # 涂料制造
        ("2651", 10, ("树脂", "新材料")),  # 初级形态塑料及合成树脂制造
        ("2661", 16, ("化工", "助剂")),  # 化学试剂和助剂制造
        ("2669", 16, ("化工", "精细化工")),  # 其他专用化学产品制造
    ),
    "building": (
        ("3011", 6, ("水泥", "建材")),  # 水泥制造
        ("3021", 12, ("建材", "水泥制品")),  # 水泥制品制造
        ("3022", 10, ("建材", "构件")),  # 砼结构构件制造
        ("3031", 12, ("新型建材", "建材")),  # 粘土砖瓦及建筑砌块制造
        ("3032", 14, ("石材", "建材")),  # 建筑用石加工
        ("3033", 6, ("防水材料", "建材")),  # 防水建筑材料制造
        ("3071", 30, ("陶瓷", "瓷业")),  # 建筑陶瓷制品制造
        ("3061", 10, ("玻纤", "新材料")),  # 玻璃纤维及制品制造
    ),
    "textiles": (
        ("1711", 25, ("纺织", "棉业")),  # 棉纺纱加工
        ("1712", 15, ("纺织",)),  # 棉织造加工
        ("1713", 10, ("印染", "纺织")),  # 棉印染精加工
        ("1751", 15, ("纺织", "化纤")),  # 化纤织造加工
        ("1761", 15, ("针织", "纺织")),  # 针织或钩针编织物织造
        ("1771", 10, ("家纺",)),  # 床上用品制造
        ("1781", 10, ("无纺布", "非织造材料")),  # 非织造布制造
    ),
    "gloves": (
        ("1830", 50, ("劳保用品", "手套")),  # 服饰制造 (针织劳保手套)
        ("2919", 35, ("劳保用品", "手套", "橡塑制品")),  # 其他橡胶制品制造 (浸胶手套)
        ("1923", 15, ("手套", "皮革制品")),  # 皮手套及皮装饰制品制造
    ),
    "stationery": (
        ("2411", 20, ("文具", "文化用品")),  # 文具制造
        ("2412", 10, ("制笔", "文具")),  # 笔的制造
        ("2441", 10, ("体育用品", "球业")),  # 球类制造
        ("2443", 15, ("健身器材", "体育用品")),  # 健身器材制造
        ("2449", 15, ("体育用品", "文体用品")),  # 其他体育用品制造
        ("4012", 15, ("仪表", "电气仪表")),  # 电工仪器仪表制造
        ("4016", 15, ("仪表", "计量科技")),  # 供应用仪器仪表制造
    ),
    "other": (
        ("2110", 14, ("家居", "家具")),  # 木质家具制造
        ("2221", 8, ("纸业",)),  # 机制纸及纸板制造
        ("2231", 10, ("包装", "纸制品")),  # 纸和纸板容器制造
        ("2319", 8, ("印务", "包装")),  # 包装装潢及其他印刷
        ("2922", 10, ("塑业", "管业")),  # 塑料板、管、型材制造
        ("2927", 8, ("塑料制品", "日用品")),  # 日用塑料制品制造
        ("3670", 12, ("汽车配件", "汽车零部件")),  # 汽车零部件及配件制造
        ("3770", 6, ("电动车", "车业")),  # 助动车制造
        ("3985", 8, ("磁电", "电子材料")),  # 电子专用材料制造 (磁性材料)
        ("3976", 6, ("光电", "激光科技")),  # 光电子器件制造 (激光)
        ("4220", 10, ("再生资源", "环保科技")),  # 非金属废料和碎屑加工处理
    ),
    "utilities": (
        ("4412", 25, ("热电", "能源")),  # 热电联产
        ("4416", 15, ("新能源", "光伏发电")),  # 太阳能发电
        ("4430", 15, ("热力", "供热")),  # 热力生产和供应
        ("4511", 15, ("燃气", "天然气")),  # 天然气生产和供应业
        ("4610", 20, ("水务", "供水")),  # 自来水生产和供应
        ("4620", 10, ("水务", "环保科技")),  # 污水处理及其再生利用
    ),
}

# 字号 (trade names): two distinct characters from these.
BRAND_CHARS = "".join(
    dict.fromkeys(
        "鑫源华泰达盛丰宇金恒兴隆祥瑞福德润通远宏宝嘉信诚和安康明新海天正东方中阳光荣昌汇力群创博凯腾"
        "龙凤沂蒙琅银翔帆顺益佳美永立志航晟豪广联合鸿骏亿万汉唐尚沃卓越峰岳富利丰硕华昊辰星泽晨"
    )
)
SUFFIXES_ABOVE = (("有限公司", 70), ("有限责任公司", 18), ("股份有限公司", 12))
SUFFIXES_BELOW = (("有限公司", 85), ("有限责任公司", 14), ("股份有限公司", 1))


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder; ties to the earlier item)."""
    weight_sum = float(sum(weights))
    if total <= 0 or weight_sum <= 0:
        return [0] * len(weights)
    quotas = [total * w / weight_sum for w in weights]
    counts = [math.floor(q) for q in quotas]
    rest = total - sum(counts)
    for i in sorted(range(len(weights)), key=lambda i: (-(quotas[i] - counts[i]), i))[:rest]:
        counts[i] += 1
    return counts


def sector_of(industry_code: str) -> str:
    """The sector of a class code in this generator's tables (a code can sit in two: the first wins)."""
    for sector in SECTORS:
        if any(code == industry_code for code, _, _ in SECTOR_CLASSES[sector]):
            return sector
    return "other"


def _places(county: County) -> tuple[tuple[str, float], ...]:
    """Place names an enterprise of the unit registers under, with weights (above, below)."""
    if county.kind == "zone":
        return (("临沂", 1.0), ("山东", 0.6))
    local = f"临沂市{county.name}" if county.kind == "district" else county.name
    return (("临沂", 1.0), ("山东", 0.7), (local, 1.2))


class _NameMaker:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def brand(self, length: int = 2) -> str:
        return "".join(self.rng.sample(BRAND_CHARS, length))

    def make(self, county: County, words: tuple[str, ...], above: bool) -> str:
        rng = self.rng
        places = _places(county)
        suffixes = SUFFIXES_ABOVE if above else SUFFIXES_BELOW
        for attempt in range(200):
            place_weights = [w * (1.6 if (not above and n == 2) else 1.0) for n, (_, w) in enumerate(places)]
            place = rng.choices([p for p, _ in places], place_weights)[0]
            suffix = rng.choices([s for s, _ in suffixes], [w for _, w in suffixes])[0]
            name = place + self.brand(2 if attempt < 50 else 3) + rng.choice(words) + suffix
            if name not in self.used:
                self.used.add(name)
                return name
        raise RuntimeError("企业名称空间不足：请减少演示企业数量。")


def plan_enterprises(
    counties: Sequence[County], towns: Sequence[TownPlan], *, seed: int, above: int, below: int
) -> list[EnterprisePlan]:
    """Above-scale then below-scale enterprises of every unit, in a deterministic order."""
    rng = random.Random(seed)
    names = _NameMaker(rng)
    used_codes: set[str] = set()
    towns_of: dict[str, list[TownPlan]] = {}
    for town in towns:
        towns_of.setdefault(town.county_code, []).append(town)
    # Some towns are industrial hubs, some are farmland: a fixed weight per town (not seed-dependent).
    town_weights = {t.code: random.Random(f"town-weight:{t.code}").lognormvariate(0, 0.8) for t in towns}

    rows: list[list[Any]] = []
    for above_scale, total in ((True, above), (False, below)):
        weights = [
            (REGION_WEIGHTS.get(c.code) or REGION_WEIGHTS_BY_KIND.get(c.kind, (50, 50)))[
                0 if above_scale else 1
            ]
            for c in counties
        ]
        for county, count in zip(counties, apportion(total, weights), strict=True):
            mix = list(REGION_MIX.get(county.code, REGION_MIX_DEFAULT))
            if not above_scale:
                mix = [w * BELOW_SCALE_FACTOR.get(s, 1.0) for s, w in zip(SECTORS, mix, strict=True)]
            county_towns = towns_of.get(county.code, [])
            cum_town_weights = _cumulative([town_weights[t.code] for t in county_towns])
            counts = apportion(count, mix)
            if above_scale:
                _ensure_utility(counts, count)
            for sector, n in zip(SECTORS, counts, strict=True):
                classes = SECTOR_CLASSES[sector]
                for _ in range(n):
                    code, _, words = rng.choices(classes, [w for _, w, _ in classes])[0]
                    town = (
                        rng.choices(county_towns, cum_weights=cum_town_weights)[0] if county_towns else None
                    )
                    rows.append(
                        [
                            _new_uscc(rng, county.code, used_codes),
                            names.make(county, words, above_scale),
                            county.code,
                            town.code if town else "",
                            code,
                            above_scale,
                            STATUS_OPERATING,
                        ]
                    )
    # Status: a fixed share stopped and closed, drawn across the whole registry.
    picked = rng.sample(range(len(rows)), round(len(rows) * (STOPPED_SHARE + CLOSED_SHARE)))
    n_stopped = round(len(rows) * STOPPED_SHARE)
    for n, index in enumerate(picked):
        rows[index][6] = STATUS_STOPPED if n < n_stopped else STATUS_CLOSED
    return [EnterprisePlan(*row) for row in rows]


def _ensure_utility(counts: list[int], total: int) -> None:
    """Every unit has its water company or heat and power plant: at least one above-scale utility
    (the evaluation's class T) once the unit has UTILITY_FLOOR_FROM above-scale enterprises. Rounding
    alone would drop a 2 % sector in small units."""
    u = SECTORS.index("utilities")
    if total >= UTILITY_FLOOR_FROM and counts[u] == 0:
        counts[counts.index(max(counts))] -= 1
        counts[u] = 1


def _cumulative(weights: Sequence[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


def _new_uscc(rng: random.Random, division: str, used: set[str]) -> str:
    """9 (registered by market regulation) + 1 (enterprise) + division + organisation code + check."""
    while True:
        organisation = DEMO_ORG_PREFIX + "".join(rng.choices(ORG_ALPHABET, k=9 - len(DEMO_ORG_PREFIX)))
        first17 = f"91{division}{organisation}"
        if first17 not in used:
            used.add(first17)
            return make_uscc(first17)


def pick_demo_enterprise(
    plans: Sequence[EnterprisePlan], region_code: str = "371302"
) -> EnterprisePlan | None:
    """The enterprise the `ent-demo` account speaks for: the first operating above-scale wood firm of
    兰山区 (any operating above-scale firm of the unit, else any above-scale firm)."""
    candidates = [p for p in plans if p.above_scale and p.status == STATUS_OPERATING]
    for test in (
        lambda p: p.region_code == region_code and p.industry_code.startswith("20"),
        lambda p: p.region_code == region_code,
        lambda p: True,
    ):
        found = next((p for p in candidates if test(p)), None)
        if found is not None:
            return found
    return None


# ---------------------------------------------------------------------------------------------------
# Demo accounts
# ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DemoUserSpec:
    username: str
    display_name: str
    role: str
    region_code: str | None = None
    department_code: str | None = None
    enterprise: bool = False
    superuser: bool = False


DEMO_USERS = (
    DemoUserSpec("admin", "系统管理员", "admin", superuser=True),
    DemoUserSpec("city", "市工信局工作人员", "city"),
    DemoUserSpec("leader", "市政府分管领导", "leader"),
    DemoUserSpec("dept-kjj", "市科技局工作人员", "department", department_code="kjj"),
    DemoUserSpec("lanshan", "兰山区工信局工作人员", "county", region_code="371302"),
    DemoUserSpec("luozhuang", "罗庄区工信局工作人员", "county", region_code="371311"),
    DemoUserSpec("ent-demo", "企业填报员", "enterprise", enterprise=True),
)


# ---------------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RegionCount:
    code: str
    name: str
    towns: int
    above: int
    below: int


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: str  # the role's Chinese label
    scope: str
    password: str = DEMO_PASSWORD


@dataclass
class DemoReport:
    seed: int
    regions: list[RegionCount]
    accounts: list[DemoAccount]
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    towns_created: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    facts: Any = None  # the FactsReport of build_demo_facts, when the facts were built

    @property
    def above(self) -> int:
        return sum(r.above for r in self.regions)

    @property
    def below(self) -> int:
        return sum(r.below for r in self.regions)

    @property
    def towns(self) -> int:
        return sum(r.towns for r in self.regions)

    def lines(self) -> list[str]:
        out = [
            f"演示数据已生成（随机种子 {self.seed}，用时 {self.seconds:.1f} 秒）：乡镇街道 {self.towns} 个，"
            f"企业 {self.above + self.below} 家（规上 {self.above}，规下 {self.below}）。",
            f"企业：新增 {self.created}，更新 {self.updated}，未变 {self.unchanged}，删除旧演示企业 {self.deleted}；"
            f"新增乡镇街道 {self.towns_created}。",
            "",
        ]
        widths, align = (34, 8, 6, 6, 6), "lrrrr"
        out.append(_row(("区域", "乡镇街道", "规上", "规下", "合计"), widths, align))
        for r in self.regions:
            out.append(
                _row((f"{r.name}（{r.code}）", r.towns, r.above, r.below, r.above + r.below), widths, align)
            )
        out.append(
            _row(("全市合计", self.towns, self.above, self.below, self.above + self.below), widths, align)
        )
        out.extend(self.notes)
        return out

    def account_lines(self) -> list[str]:
        widths = (12, 14, 36, 12)
        out = [f"演示账号（密码均为 {DEMO_PASSWORD}，仅供演示，正式上线前请删除或改密）："]
        out.append(_row(("用户名", "角色", "数据范围", "密码"), widths))
        for a in self.accounts:
            out.append(_row((a.username, a.role, a.scope, a.password), widths))
        return out


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _row(cells: Sequence[object], widths: Sequence[int], align: str = "") -> str:
    """One table row; CJK characters count double so columns line up in a terminal. `align` has one
    letter per column, "l" or "r" (default: all left)."""
    parts = []
    for n, (cell, width) in enumerate(zip(cells, widths, strict=True)):
        text = str(cell)
        pad = " " * max(width - _display_width(text), 0)
        parts.append(pad + text if align[n : n + 1] == "r" else text + pad)
    return "  ".join(parts).rstrip()


def count_by_region(
    counties: Sequence[County], towns: Sequence[TownPlan], plans: Sequence[EnterprisePlan]
) -> list[RegionCount]:
    town_counts = Counter(t.county_code for t in towns)
    above = Counter(p.region_code for p in plans if p.above_scale)
    below = Counter(p.region_code for p in plans if not p.above_scale)
    return [RegionCount(c.code, c.name, town_counts[c.code], above[c.code], below[c.code]) for c in counties]


# ---------------------------------------------------------------------------------------------------
# Persisting (Django)
# ---------------------------------------------------------------------------------------------------
class DemoError(Exception):
    """The demo cannot be built (no policy pack loaded, bad arguments)."""


def _say(stdout: Any, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


def build_demo(
    *, seed: int = 2026, above: int = 3300, below: int = 15000, stdout: Any = None, facts: bool = True
) -> DemoReport:
    """Persist the synthetic city: idempotent (the same arguments twice give the same database), in
    one transaction. Needs the policy pack's organisation (regions, departments) to be loaded.
    With `facts`, then the departments' figures for 2021–2025 (`demo_facts`, its own transaction)."""
    from django.db import transaction

    from gongqiang.core.models import Region
    from gongqiang.core.models.org import COUNTY_LEVEL_KINDS

    if above < 1 or below < 0:
        raise DemoError("规上企业数至少为 1，规下企业数不能为负。")
    started = time.perf_counter()
    with transaction.atomic():
        rows = list(Region.objects.filter(kind__in=COUNTY_LEVEL_KINDS).order_by("sort_order", "code"))
        if not rows:
            raise DemoError("尚未加载政策包（没有县区）：请先运行 gongqiang policy load。")
        pack_towns = _pack_town_counts()
        counties = [
            County(r.code, r.name, r.short_name or r.name, r.kind, pack_towns.get(r.code)) for r in rows
        ]
        _say(stdout, f"规划 {len(counties)} 个县区、功能区的乡镇街道和企业（随机种子 {seed}）…")
        towns = plan_towns(counties)
        plans = plan_enterprises(counties, towns, seed=seed, above=above, below=below)
        report = DemoReport(seed=seed, regions=count_by_region(counties, towns, plans), accounts=[])
        report.towns_created = _save_towns({r.code: r for r in rows}, towns)
        _say(stdout, f"乡镇街道 {len(towns)} 个已就绪；写入企业 {len(plans)} 家…")
        _save_enterprises(plans, report, stdout)
        report.accounts = _save_users(plans, report)
        report.deleted = _delete_stale(plans)
    report.seconds = time.perf_counter() - started
    if facts:
        from .demo_facts import build_demo_facts

        report.facts = build_demo_facts(seed=seed, stdout=stdout)
        report.notes.extend(report.facts.lines())
    return report


def _pack_town_counts() -> dict[str, int]:
    from gongqiang.core.services.policy import active_spec

    spec = active_spec()
    if spec is None:
        return {}
    return {r.code: r.towns for r in spec.organisation.regions if r.towns is not None}


def _save_towns(counties: dict[str, Any], towns: Sequence[TownPlan]) -> int:
    from gongqiang.core.models import Region
    from gongqiang.core.models.org import RegionKind

    existing = {r.code: r for r in Region.objects.filter(code__in=[t.code for t in towns])}
    new, changed = [], []
    for t in towns:
        parent = counties[t.county_code]
        values = {
            "name": t.name,
            "short_name": t.name,
            "kind": RegionKind.TOWN,
            "parent_id": parent.pk,
            "path": f"{parent.path}{t.code}/",  # what Region.save() would set; bulk writes skip save()
            "sort_order": t.sort_order,
        }
        row = existing.get(t.code)
        if row is None:
            new.append(Region(code=t.code, **values))
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            changed.append(row)
    Region.objects.bulk_create(new, batch_size=500)
    Region.objects.bulk_update(changed, list(_TOWN_FIELDS), batch_size=200)
    return len(new)


_TOWN_FIELDS = ("name", "short_name", "kind", "parent", "path", "sort_order")
_ENTERPRISE_FIELDS = ("name", "region", "town", "industry_code", "above_scale", "status")


def _demo_enterprises() -> Any:
    """The queryset of demo enterprises (recognised by the organisation-code prefix)."""
    from django.db.models.functions import Substr

    from .models import Enterprise

    return (
        Enterprise.objects.annotate(_org=Substr("uscc", 9, len(DEMO_ORG_PREFIX)))
        .filter(_org=DEMO_ORG_PREFIX)
        .order_by()
    )


def _save_enterprises(plans: Sequence[EnterprisePlan], report: DemoReport, stdout: Any) -> None:
    from django.utils import timezone

    from gongqiang.core.models import Region
    from gongqiang.core.models.org import COUNTY_LEVEL_KINDS, RegionKind

    from .models import Enterprise

    region_ids = dict(
        Region.objects.filter(kind__in=[*COUNTY_LEVEL_KINDS, RegionKind.TOWN]).values_list("code", "pk")
    )
    existing = {
        row[0]: (row[1], row[2:])
        for row in _demo_enterprises().values_list(
            "uscc", "pk", "name", "region_id", "town_id", "industry_code", "above_scale", "status"
        )
    }
    now = timezone.now()
    new, changed = [], []
    for p in plans:
        region_id, town_id = region_ids[p.region_code], region_ids.get(p.town_code)
        values = (p.name, region_id, town_id, p.industry_code, p.above_scale, p.status)
        fields = {
            "uscc": p.uscc,
            "name": p.name,
            "region_id": region_id,
            "town_id": town_id,
            "industry_code": p.industry_code,
            "above_scale": p.above_scale,
            "status": p.status,
        }
        found = existing.get(p.uscc)
        if found is None:
            new.append(Enterprise(**fields))
        elif found[1] != values:
            changed.append(Enterprise(pk=found[0], updated_at=now, **fields))
    batch = 2000
    for start in range(0, len(new), batch):
        Enterprise.objects.bulk_create(new[start : start + batch], batch_size=500)
        _say(stdout, f"  新增企业 {min(start + batch, len(new))}/{len(new)}")
    if changed:
        Enterprise.objects.bulk_update(changed, [*_ENTERPRISE_FIELDS, "updated_at"], batch_size=500)
        _say(stdout, f"  更新企业 {len(changed)}")
    report.created, report.updated = len(new), len(changed)
    report.unchanged = len(plans) - len(new) - len(changed)


def _delete_stale(plans: Sequence[EnterprisePlan]) -> int:
    """Demo enterprises of an earlier build with other arguments. Deleted through the ORM, so what
    depends on them cascades or protects as the models say (and the audit trail records the deletes)."""
    from .models import Enterprise

    wanted = {p.uscc for p in plans}
    stale = [pk for uscc, pk in _demo_enterprises().values_list("uscc", "pk") if uscc not in wanted]
    for start in range(0, len(stale), 500):
        Enterprise.objects.filter(pk__in=stale[start : start + 500]).delete()
    return len(stale)


def _save_users(plans: Sequence[EnterprisePlan], report: DemoReport) -> list[DemoAccount]:
    """Create or update the demo accounts; each ends with exactly its one membership."""
    from gongqiang.core.models import Department, Membership, Region, Role, User

    from .models import Enterprise

    chosen = pick_demo_enterprise(plans)
    accounts = []
    for spec in DEMO_USERS:
        target: dict[str, Any] = {"region": None, "department": None, "enterprise": None}
        scope = "全市"
        if spec.region_code:
            target["region"] = Region.objects.filter(code=spec.region_code).first()
            scope = target["region"].name if target["region"] else ""
        if spec.department_code:
            target["department"] = Department.objects.filter(code=spec.department_code).first()
            scope = (
                f"{target['department'].short_name or target['department'].name}（全市）"
                if target["department"]
                else ""
            )
        if spec.enterprise:
            target["enterprise"] = Enterprise.objects.filter(uscc=chosen.uscc).first() if chosen else None
            scope = target["enterprise"].name if target["enterprise"] else ""
        if (spec.region_code or spec.department_code or spec.enterprise) and not any(target.values()):
            report.notes.append(
                f"注意：政策包中没有账号 {spec.username} 所需的区域、部门或企业，未创建该账号。"
            )
            continue
        user = User.objects.filter(username=spec.username).first() or User(username=spec.username)
        user.display_name = spec.display_name
        user.is_active = True
        user.is_staff = spec.superuser
        user.is_superuser = spec.superuser
        if user.pk is None or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
        user.save()
        role = Role(spec.role)
        key = (role.value, *(getattr(target[k], "pk", None) for k in ("region", "department", "enterprise")))
        kept = False
        for m in Membership.objects.filter(user=user):
            if not kept and (m.role, m.region_id, m.department_id, m.enterprise_id) == key:
                kept = True
            else:
                m.delete()
        if not kept:
            membership = Membership(user=user, role=role, **target)
            membership.full_clean()
            membership.save()
        accounts.append(DemoAccount(spec.username, spec.display_name, role.label, scope))
    return accounts
