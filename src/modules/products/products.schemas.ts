import { z } from 'zod';
import { collectionOf, ImageSchema, PageQuerySchema, SlugSchema, TimestampSchema } from '../../http/common.schemas.js';
import { ImageInputSchema } from '../articles/articles.admin.schemas.js';
import { PriceSchema } from '../articles/articles.schemas.js';

export const FeaturingArticleSchema = z
  .object({ id: z.number().int(), slug: z.string(), title: z.string(), publishedAt: TimestampSchema })
  .meta({ id: 'FeaturingArticle' });

export const ProductSchema = z
  .object({
    id: z.number().int(),
    slug: z.string(),
    name: z.string(),
    summary: z.string().nullable(),
    description: z.string().nullable().describe('Markdown'),
    url: z.string().nullable(),
    image: ImageSchema.nullable(),
    price: PriceSchema.nullable().describe('Null when the price is unknown'),
    badges: z.array(z.string()),
    suitableFor: z.array(z.string()),
    inStock: z.boolean(),
    articles: z.array(FeaturingArticleSchema).describe('Published articles featuring the product, newest first'),
  })
  .meta({ id: 'Product' });

export const ProductListQuerySchema = PageQuerySchema;
export const ProductListSchema = collectionOf(ProductSchema).meta({ id: 'ProductList' });

export type Product = z.infer<typeof ProductSchema>;
export type FeaturingArticle = z.infer<typeof FeaturingArticleSchema>;

const optionalText = (max: number) => z.string().max(max).nullable().optional();

export const PriceInputSchema = z
  .strictObject({
    amount: z.number().int().min(0).max(1_000_000_000).describe('In minor units (cents)'),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'An ISO 4217 code such as EUR')
      .describe('ISO 4217 code'),
  })
  .meta({ id: 'PriceWrite' });

const productFields = {
  name: z.string().trim().min(1).max(200),
  slug: SlugSchema.optional().describe('Derived from the name when absent'),
  summary: optionalText(500),
  description: optionalText(20_000),
  url: z.url().max(2000).nullable().optional(),
  image: ImageInputSchema.nullable().optional(),
  price: PriceInputSchema.nullable().optional().describe('Null when unknown'),
  badges: z.array(z.string().trim().min(1).max(100)).max(20).optional(),
  suitableFor: z.array(z.string().trim().min(1).max(100)).max(50).optional(),
  inStock: z.boolean().optional(),
};

export const ProductCreateSchema = z.strictObject(productFields).meta({ id: 'ProductCreate' });
export const ProductPatchSchema = z
  .strictObject({ ...productFields, name: productFields.name.optional() })
  .meta({ id: 'ProductPatch' });

export const AdminProductSchema = ProductSchema.omit({ articles: true })
  .extend({
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
    linkedArticles: z
      .array(z.object({ id: z.number().int(), slug: z.string() }))
      .describe('Articles of any status that link the product'),
  })
  .meta({ id: 'AdminProduct' });

export const AdminProductListSchema = collectionOf(AdminProductSchema).meta({ id: 'AdminProductList' });
export const ProductDeleteQuerySchema = z.strictObject({
  force: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .describe('Also remove the links of articles featuring it'),
});

export type ProductCreate = z.infer<typeof ProductCreateSchema>;
export type ProductPatch = z.infer<typeof ProductPatchSchema>;
export type AdminProduct = z.infer<typeof AdminProductSchema>;
