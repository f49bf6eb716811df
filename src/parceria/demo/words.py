"""Word lists for made-up Brazilian and Latin American company and customer names (no external data).

Portuguese words are used in Brazil, Spanish elsewhere. Nothing here refers to a real company.
"""

from __future__ import annotations

# fmt: off
#: Country → language of the names made for it.
LANGUAGE = {"BR": "pt", "MX": "es", "CO": "es", "AR": "es", "CL": "es"}

#: Roots of partner names, per country: evocative words (nature, geography, geometry).
PARTNER_ROOTS: dict[str, tuple[str, ...]] = {
    "BR": (
        "Nuvem", "Vértice", "Prisma", "Órbita", "Ápice", "Cobalto", "Quartzo", "Sinergia", "Pulsar", "Atlas",
        "Zênite", "Vetor", "Nexo", "Fluxo", "Ipê", "Jacarandá", "Aroeira", "Sabiá", "Tucano", "Guará",
        "Araucária", "Pitanga", "Jequitibá", "Cerrado", "Pantanal", "Mantiqueira", "Itapuã", "Maré", "Farol",
        "Bússola", "Ponte", "Raiz", "Semente", "Colmeia", "Trilha", "Horizonte", "Alvorada", "Estrela Guia",
        "Carcará", "Beija-Flor", "Boto", "Jatobá", "Capivara", "Anil", "Lumen", "Ágata", "Turmalina", "Topázio",
    ),
    "MX": (
        "Quetzal", "Maguey", "Nopal", "Colibrí", "Jaguar", "Ceiba", "Sierra Madre", "Pacífico", "Obsidiana",
        "Ahuehuete", "Cenote", "Tonalli", "Anáhuac", "Xochi", "Mezquite", "Volcán",
    ),
    "CO": (
        "Ceiba", "Tequendama", "Magdalena", "Cafetal", "Guayacán", "Orquídea", "Cóndor", "Esmeralda", "Macondo",
        "Llanos", "Caribe", "Guadua",
    ),
    "AR": (
        "Pampa", "Aconcagua", "Patagonia", "Ombú", "Ñandú", "Hornero", "Jacarandá", "Litoral", "Iguazú",
        "Lapacho", "Malbec", "Cumbre",
    ),
    "CL": (
        "Araucaria", "Copihue", "Atacama", "Andes", "Cordillera", "Pehuén", "Maule", "Huemul", "Quillay",
        "Lenga", "Pacífico Sur", "Altiplano",
    ),
}

#: Roots used in every Spanish-speaking country, beside the country's own.
SPANISH_ROOTS = (
    "Horizonte", "Vértice", "Prisma", "Atlas", "Nexo", "Órbita", "Cumbre", "Faro", "Brújula", "Puente", "Raíz",
    "Semilla", "Sendero", "Alba", "Zenit", "Vector", "Lumen", "Cobalto", "Cuarzo", "Sinergia",
)

#: (category, subcategory) → words that end a partner's name, per language.
PARTNER_SUFFIXES: dict[str, dict[str, tuple[str, ...]]] = {
    "pt": {
        "crm": ("CRM", "Vendas", "Relacionamento", "Sistemas"),
        "ecommerce": ("Commerce", "Loja Virtual", "Marketplace", "Varejo Digital"),
        "accounting": ("Contábil", "Fiscal", "ERP", "Gestão Financeira"),
        "social_media": ("Social", "Mídia", "Conecta", "Engajamento"),
        "digital_agency": ("Agência Digital", "Comunicação", "Marketing Digital", "Studio"),
        "management_consultancy": ("Consultoria", "Gestão", "Estratégia", "Associados"),
        "accelerator": ("Aceleradora", "Hub de Inovação", "Ventures", "Startups"),
        "healthcare": ("Saúde", "Med", "Clínicas", "Bem-Estar"),
        "food_beverage": ("Food Service", "Alimentos", "Gastronomia", "Sabores"),
        "fashion_beauty": ("Moda", "Beleza", "Cosméticos", "Estilo"),
        "professional_services": ("Contabilidade", "Serviços Profissionais", "Advocacia", "Business"),
        "distributor": ("Distribuidora", "Channel", "Trade"),
        "joint_venture": ("Aliança", "Partners", "Ventures"),
    },
    "es": {
        "crm": ("CRM", "Ventas", "Clientes", "Sistemas"),
        "ecommerce": ("Commerce", "Tienda Online", "Marketplace", "Retail Digital"),
        "accounting": ("Contable", "Fiscal", "ERP", "Finanzas"),
        "social_media": ("Social", "Medios", "Conecta", "Comunidad"),
        "digital_agency": ("Agencia Digital", "Comunicación", "Marketing Digital", "Estudio"),
        "management_consultancy": ("Consultores", "Gestión", "Estrategia", "Asociados"),
        "accelerator": ("Aceleradora", "Hub de Innovación", "Ventures", "Startups"),
        "healthcare": ("Salud", "Med", "Clínicas", "Bienestar"),
        "food_beverage": ("Food Service", "Alimentos", "Gastronomía", "Sabores"),
        "fashion_beauty": ("Moda", "Belleza", "Cosméticos", "Estilo"),
        "professional_services": ("Contadores", "Servicios Profesionales", "Abogados", "Business"),
        "distributor": ("Distribuidora", "Channel", "Comercial"),
        "joint_venture": ("Alianza", "Partners", "Ventures"),
    },
}

#: Legal-form suffixes per country (and, for Brazil, per tax regime).
LEGAL_FORMS: dict[str, tuple[str, ...]] = {
    "BR:pj": ("Ltda.", "S.A.", "Ltda."),
    "BR:pj_simples": ("Ltda. ME", "Ltda. EPP", "Ltda."),
    "MX": ("S.A. de C.V.", "S. de R.L. de C.V.", "S.A.P.I. de C.V."),
    "CO": ("S.A.S.", "S.A.S.", "Ltda."),
    "AR": ("S.R.L.", "S.A.", "S.A.S."),
    "CL": ("SpA", "Ltda.", "S.A."),
}

FIRST_NAMES = {
    "pt": (
        "Ana", "Beatriz", "Camila", "Fernanda", "Juliana", "Larissa", "Mariana", "Patrícia", "Renata", "Tatiane",
        "Bruno", "Carlos", "Diego", "Eduardo", "Felipe", "Gustavo", "Henrique", "Lucas", "Rafael", "Thiago",
    ),
    "es": (
        "Ana", "Camila", "Daniela", "Gabriela", "Lucía", "María José", "Paula", "Valentina", "Sofía", "Carolina",
        "Andrés", "Carlos", "Diego", "Felipe", "Javier", "Juan Pablo", "Matías", "Santiago", "Sebastián", "Tomás",
    ),
}

SURNAMES = {
    "pt": (
        "Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes",
        "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Barbosa", "Araújo", "Cardoso", "Albuquerque",
    ),
    "es": (
        "García", "Rodríguez", "López", "Martínez", "González", "Hernández", "Pérez", "Sánchez", "Ramírez", "Torres",
        "Flores", "Rojas", "Muñoz", "Díaz", "Vargas", "Castro", "Romero", "Gómez", "Fernández", "Morales",
    ),
}

#: Words an individual consultant (a Brazilian PF partner) puts after their name.
PERSON_TRADES = ("Consultoria", "Assessoria", "Mentoria", "Soluções")

#: Customer verticals; the first four match the industry-vertical partner subcategories.
VERTICALS = (
    "healthcare", "food_beverage", "fashion_beauty", "professional_services", "retail", "education", "logistics",
    "real_estate", "hospitality", "manufacturing",
)
VERTICAL_WEIGHTS = (12, 16, 10, 16, 14, 8, 6, 6, 6, 6)

#: Vertical → kinds of small business, per language (the first word of a customer's name).
BUSINESS_KINDS: dict[str, dict[str, tuple[str, ...]]] = {
    "pt": {
        "healthcare": ("Clínica", "Consultório", "Odontologia", "Laboratório", "Fisioterapia", "Farmácia"),
        "food_beverage": ("Restaurante", "Padaria", "Pizzaria", "Cafeteria", "Hamburgueria", "Empório"),
        "fashion_beauty": ("Salão", "Studio", "Boutique", "Moda", "Estética", "Barbearia"),
        "professional_services": ("Contabilidade", "Advocacia", "Consultoria", "Arquitetura", "Engenharia"),
        "retail": ("Loja", "Mercado", "Ótica", "Papelaria", "Pet Shop", "Materiais de Construção"),
        "education": ("Escola", "Colégio", "Cursos", "Idiomas", "Centro Educacional"),
        "logistics": ("Transportes", "Logística", "Express", "Cargas"),
        "real_estate": ("Imobiliária", "Imóveis", "Construtora"),
        "hospitality": ("Hotel", "Pousada", "Hostel"),
        "manufacturing": ("Indústria", "Metalúrgica", "Confecções", "Móveis"),
    },
    "es": {
        "healthcare": ("Clínica", "Consultorio", "Odontología", "Laboratorio", "Fisioterapia", "Farmacia"),
        "food_beverage": ("Restaurante", "Panadería", "Pizzería", "Cafetería", "Taquería", "Parrilla"),
        "fashion_beauty": ("Salón", "Estudio", "Boutique", "Moda", "Estética", "Barbería"),
        "professional_services": ("Contadores", "Abogados", "Consultores", "Arquitectos", "Ingeniería"),
        "retail": ("Tienda", "Mercado", "Óptica", "Papelería", "Pet Shop", "Ferretería"),
        "education": ("Colegio", "Instituto", "Academia", "Idiomas", "Centro Educativo"),
        "logistics": ("Transportes", "Logística", "Express", "Mudanzas"),
        "real_estate": ("Inmobiliaria", "Propiedades", "Constructora"),
        "hospitality": ("Hotel", "Hostal", "Posada"),
        "manufacturing": ("Industrias", "Metalúrgica", "Textil", "Muebles"),
    },
}

#: Second half of a customer's name, per language.
BUSINESS_TAILS = {
    "pt": (
        "Bom Jesus", "Vida Plena", "Sol Nascente", "Ponto Certo", "Bela Vista", "Santa Clara", "Nova Era",
        "Primavera", "Boa Esperança", "Estrela", "Dois Irmãos", "Recanto", "Jardim", "Central", "Paulista",
        "Horizonte", "Do Vale", "Da Serra", "Mar Azul", "Girassol", "Bem Viver", "Aurora", "Canto Verde",
        "Porto Seguro", "Três Marias", "São Jorge", "Arco-Íris", "Lua Cheia", "Pé de Serra", "Vila Nova",
        "Bandeirantes", "Ipiranga", "Santa Fé", "Boa Vista", "Água Viva", "Cidade Jardim", "Norte Sul", "Bem-te-vi",
    ),
    "es": (
        "El Buen Pastor", "Vida Sana", "Sol Naciente", "Buena Vista", "Santa Lucía", "Nueva Era", "Primavera",
        "La Esperanza", "Estrella", "Dos Hermanos", "El Rincón", "Jardín", "Central", "Del Valle", "La Sierra",
        "Mar Azul", "Girasol", "Bien Vivir", "Aurora", "Rincón Verde", "Puerto Claro", "San Martín", "Arcoíris",
        "Luna Llena", "Villa Nueva", "Los Andes", "El Puente", "La Plaza", "Don Pedro", "Las Palmas",
        "Santa Fe", "Buenos Aires", "Norte Sur", "El Roble", "Los Pinos", "La Colina", "El Mirador", "San José",
    ),
}

#: Cities that tell apart two customers of the same name, and regions partners cover.
CITIES: dict[str, tuple[str, ...]] = {
    "BR": (
        "São Paulo", "Campinas", "Rio de Janeiro", "Belo Horizonte", "Curitiba", "Porto Alegre", "Florianópolis",
        "Salvador", "Recife", "Fortaleza", "Brasília", "Goiânia", "Vitória", "Manaus", "Belém", "Natal",
    ),
    "MX": ("CDMX", "Guadalajara", "Monterrey", "Puebla", "Querétaro", "Mérida", "Tijuana", "León"),
    "CO": ("Bogotá", "Medellín", "Cali", "Barranquilla", "Cartagena", "Bucaramanga", "Pereira"),
    "AR": ("Buenos Aires", "Córdoba", "Rosario", "Mendoza", "La Plata", "Mar del Plata", "Tucumán"),
    "CL": ("Santiago", "Valparaíso", "Concepción", "Antofagasta", "La Serena", "Temuco", "Puerto Montt"),
}

TERRITORIES: dict[str, tuple[str, ...]] = {
    "BR": ("SP", "RJ", "MG", "PR", "RS", "SC", "BA", "PE", "CE", "DF", "GO", "ES"),
    "MX": ("CDMX", "Jalisco", "Nuevo León", "Estado de México", "Puebla", "Querétaro", "Yucatán"),
    "CO": ("Bogotá D.C.", "Antioquia", "Valle del Cauca", "Atlántico", "Santander"),
    "AR": ("CABA", "Buenos Aires", "Córdoba", "Santa Fe", "Mendoza"),
    "CL": ("Región Metropolitana", "Valparaíso", "Biobío", "Antofagasta", "Los Lagos"),
}

TOP_LEVEL_DOMAINS = {"BR": "com.br", "MX": "com.mx", "CO": "com.co", "AR": "com.ar", "CL": "cl"}
# fmt: on
